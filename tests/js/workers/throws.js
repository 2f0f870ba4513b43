// Dies at start, every time: restarted with a growing delay.
throw new Error("broken at start");
