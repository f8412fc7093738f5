//! Link arguments for the binary only (not for build scripts or proc macros).
fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("x86_64-") && target.contains("linux") {
        // The host proof: no libc, no C runtime, static, not PIE (nothing
        // would apply relocations). The entry point is sys::_start.
        for arg in ["-nostartfiles", "-nostdlib", "-static", "-no-pie", "-Wl,--gc-sections", "-Wl,-e,_start"] {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
