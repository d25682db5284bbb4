//! Puts the memory layout of the target where the linker finds it.
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let target = std::env::var("TARGET").unwrap();
    let layout = if target.starts_with("riscv32") {
        include_str!("memory-riscv32.x")
    } else {
        include_str!("memory-cortex-m.x")
    };
    std::fs::write(out.join("memory.x"), layout).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory-riscv32.x");
    println!("cargo:rerun-if-changed=memory-cortex-m.x");
}
