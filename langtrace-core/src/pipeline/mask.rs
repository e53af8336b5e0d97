//! Masking: a user function applied to every input, output and metadata value before it
//! leaves the process. A panicking mask never leaks the unmasked value.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use serde_json::Value;

/// What replaces a value whose mask function panicked (Langfuse's marker).
pub const MASK_FAILED: &str = "<fully masked due to failed mask function>";

/// A user-supplied masking function.
pub type MaskFn = Arc<dyn Fn(Value) -> Value + Send + Sync>;

/// Applies `mask` to `value`; on panic the value becomes [`MASK_FAILED`].
pub(crate) fn apply(mask: &MaskFn, value: Value) -> Value {
    catch_unwind(AssertUnwindSafe(|| mask(value))).unwrap_or_else(|_| Value::String(MASK_FAILED.to_owned()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn panicking_mask_masks_everything() {
        let mask: MaskFn = Arc::new(|_| panic!("mask bug"));
        assert_eq!(apply(&mask, json!({"secret": 1})), json!(MASK_FAILED));
        let mask: MaskFn = Arc::new(|v| if v == json!("pw") { json!("***") } else { v });
        assert_eq!(apply(&mask, json!("pw")), json!("***"));
    }
}
