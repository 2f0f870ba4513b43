// Throws the first time it is loaded, works the second time: a module whose
// body throws is not cached.
GLOBAL.throwsRuns = (GLOBAL.throwsRuns || 0) + 1;
if (GLOBAL.throwsRuns === 1) throw new Error("module body failed");
exports.ok = true;
