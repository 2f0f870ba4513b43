// Found by its bare name through require.paths.
exports.name = "libmod";
