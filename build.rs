//! Rebuild when the embedded rules or their fixtures change: `include_dir!` cannot tell cargo which
//! files it read on stable Rust, so without this a new or edited rule would not reach the binary.
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=testdata/rules");
    println!("cargo:rerun-if-changed=build.rs");
}
