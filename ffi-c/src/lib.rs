//! C ABI for signcore (work in progress).
