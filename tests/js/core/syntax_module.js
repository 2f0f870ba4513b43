// require of a module with a syntax error (mods/bad_syntax.js line 3), uncaught.
require("./mods/bad_syntax");
