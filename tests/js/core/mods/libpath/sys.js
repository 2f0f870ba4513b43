// Must never load: built-in modules come before require.paths.
throw new Error("libpath/sys.js shadowed the built-in sys module");
