//! Integration tests of powermap-simulate: the model's validity against theory, invariants,
//! reproducibility, and a study on a real shipped series.

mod invariants;
mod real;
mod validity;
