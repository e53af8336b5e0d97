//! The rules an `#[observe]` must follow beyond the syntax of each option:
//! between options, and between the options and the fn they annotate.
//!
//! They run on what [`Args::parse`](crate::args::Args::parse) could parse,
//! after it and before any code is generated, so that their errors come with
//! the parser's in one report. A rule involving an option whose value did not
//! parse is skipped: whether it holds is unknown.

use syn::{Ident, ItemFn};

use crate::args::{Args, Errors, Key, ObservationType};

/// Checks `args` and `func` together; `bound` are the identifiers the fn's
/// arguments bind. Every broken rule adds an error at the offending token.
pub(crate) fn check(args: &Args, func: &ItemFn, bound: &[Ident], errors: &mut Errors) {
    model_fits_type(args, errors);
    rig_fits_type(args, errors);
    skipped_arguments_exist(args, bound, errors);
    not_const(func, errors);
}

/// `model = "..."` names the model of a model call: only generation-like
/// observation types have one.
fn model_fits_type(args: &Args, errors: &mut Errors) {
    let Some((key, _)) = &args.model else { return };
    if !args.invalid.contains(&Key::AsType) && !args.as_type.is_generation_like() {
        errors.push(syn::Error::new_spanned(
            key,
            "`model` requires a generation-like type: add `as_type = generation` or `as_type = embedding`",
        ));
    }
}

/// `rig` makes the observation the span of rig's completion calls: only a
/// generation is one.
fn rig_fits_type(args: &Args, errors: &mut Errors) {
    let Some(key) = &args.rig else { return };
    if !args.invalid.contains(&Key::AsType) && args.as_type != ObservationType::Generation {
        errors.push(syn::Error::new_spanned(
            key,
            "`rig` makes the observation rig's completion span: add `as_type = generation`",
        ));
    }
}

/// Every `skip(...)` entry names an identifier bound by the fn's arguments.
fn skipped_arguments_exist(args: &Args, bound: &[Ident], errors: &mut Errors) {
    for skipped in args.skip.iter().filter(|skipped| !bound.contains(skipped)) {
        errors.push(syn::Error::new_spanned(
            skipped,
            format!("cannot skip `{skipped}`: the function has no argument with this name"),
        ));
    }
}

/// A `const fn` cannot be observed: recording calls runtime code, which a
/// constant evaluation cannot run.
fn not_const(func: &ItemFn, errors: &mut Errors) {
    if let Some(constness) = &func.sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "`#[observe]` cannot be applied to a `const fn`: recording a call runs code that is not `const`",
        ));
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;
    use crate::capture::bound_idents;

    /// The message of every error `#[observe(args)]` gets on `func`, in order.
    fn errors(args: TokenStream, func: ItemFn) -> Vec<String> {
        let mut errors = Errors::default();
        let args = Args::parse(args, &mut errors);
        check(&args, &func, &bound_idents(&func.sig), &mut errors);
        errors.finish().err().map_or_else(Vec::new, |error| error.into_iter().map(|error| error.to_string()).collect())
    }

    #[test]
    fn reports_parse_and_validation_errors_together() {
        let found = errors(
            quote!(level = fatal, model = "gpt-4o", skip(prompt, missing)),
            syn::parse_quote!(
                const fn chat(prompt: &str) {}
            ),
        );
        let expected = [
            "unknown level `fatal`; expected one of `DEBUG`, `DEFAULT`, `WARNING`, `ERROR`",
            "`model` requires a generation-like type: add `as_type = generation` or `as_type = embedding`",
            "cannot skip `missing`: the function has no argument with this name",
            "`#[observe]` cannot be applied to a `const fn`: recording a call runs code that is not `const`",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn skips_a_rule_whose_option_did_not_parse() {
        let func: ItemFn = syn::parse_quote!(
            fn chat() {}
        );
        let found = errors(quote!(as_type = generaton, model = "gpt-4o"), func.clone());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("unknown observation type `generaton`"), "{found:?}");
        assert!(errors(quote!(as_type = embedding, model = "text-embedding-3-small"), func).is_empty());
    }
}
