//! Node binding for signcore (work in progress).
