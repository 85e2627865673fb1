"""Process tuning: the garbage collector's view of the heap, and the allocator."""
