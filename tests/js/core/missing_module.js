// require of a module that does not exist, uncaught.
require("./does_not_exist_anywhere");
