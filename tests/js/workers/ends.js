// Ends at once with status 0: a worker not to be started again.
process.stdio.writeError("worker " + process.workerId + " ran\n");
