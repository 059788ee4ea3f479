//! Integration tests of powermap-render, one binary (see STYLE.md, "Tests").

mod fixture;
mod golden;
mod plots;
mod summary;
