// The main script itself does not compile (line 3).
var ok = 1;
function ( { }
