// Counts how often its body ran: a cached module runs once.
GLOBAL.cModuleRuns = (GLOBAL.cModuleRuns || 0) + 1;
exports.name = "c";
