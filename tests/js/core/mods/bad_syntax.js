// A syntax error on line 3.
var fine = 1;
var broken = = 2;
