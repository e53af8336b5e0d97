//! How arguments, return values and stream items become captured values.
//!
//! Every value goes through `(&&&Capture(&value)).__lt_capture()`: autoref
//! specialisation picks `Serialize`, else `Debug`, else a placeholder, per
//! type, at compile time. Errors go through `ErrorMessage` the same way
//! (`Display`, else `Debug`, else a placeholder). The traits are imported
//! anonymously in the generated block that uses them, so user code never sees
//! them.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{FnArg, Ident, Pat, Signature, Type};

use crate::shape::peel;

/// The identifiers bound by the fn's argument patterns, in order; never
/// `self`.
pub(crate) fn bound_idents(sig: &Signature) -> Vec<Ident> {
    let mut idents = Vec::new();
    for arg in &sig.inputs {
        if let FnArg::Typed(arg) = arg {
            collect_bindings(&arg.pat, &mut idents);
        }
    }
    idents
}

fn collect_bindings(pat: &Pat, idents: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(pat) => {
            idents.push(pat.ident.clone());
            if let Some((_, subpat)) = &pat.subpat {
                collect_bindings(subpat, idents);
            }
        }
        Pat::Reference(pat) => collect_bindings(&pat.pat, idents),
        Pat::Paren(pat) => collect_bindings(&pat.pat, idents),
        Pat::Type(pat) => collect_bindings(&pat.pat, idents),
        Pat::Struct(pat) => pat.fields.iter().for_each(|field| collect_bindings(&field.pat, idents)),
        Pat::Tuple(pat) => pat.elems.iter().for_each(|pat| collect_bindings(pat, idents)),
        Pat::TupleStruct(pat) => pat.elems.iter().for_each(|pat| collect_bindings(pat, idents)),
        Pat::Slice(pat) => pat.elems.iter().for_each(|pat| collect_bindings(pat, idents)),
        // Every alternative binds the same names.
        Pat::Or(pat) => pat.cases.first().into_iter().for_each(|pat| collect_bindings(pat, idents)),
        // Wildcards, rest patterns and literals bind nothing; anything else is
        // refutable and left to rustc to reject.
        _ => {}
    }
}

/// The expression building `{"arg": value, ..}` for every argument in `bound` but
/// not in `skip`, for `Observation::open` or `InputSink::capture`; `None` when nothing
/// is left.
pub(crate) fn input(bound: &[Ident], skip: &[Ident]) -> Option<TokenStream> {
    let fields: Vec<TokenStream> = bound
        .iter()
        .filter(|ident| !skip.contains(ident))
        .map(|ident| {
            let name = ident.unraw().to_string();
            let value = value(quote!(&#ident));
            quote!((#name, #value))
        })
        .collect();
    if fields.is_empty() {
        return None;
    }
    let traits = value_traits();
    Some(quote! {
        || {
            #traits
            ::langtrace::__private::input_object([#(#fields),*])
        }
    })
}

/// The `|__lt_f: &mut Finisher, __lt_ret: &output|` callback that records a
/// return value (or a future's output): `Ok` values and other values as
/// output (unless `capture_output` is off), `Err`s as an ERROR with the
/// error's message. `output` decides what the callback does; the types of its
/// parameters come from the bound of the runtime function it is passed to (an
/// annotation `&output` would be linted when it reads `&Option<&T>`).
pub(crate) fn on_return(output: &Type, capture_output: bool) -> TokenStream {
    let body = if is_unit(output) {
        None
    } else if is_result(output) {
        let error_traits = error_traits();
        let message = error_message(quote!(__lt_e));
        Some(if capture_output {
            let value_traits = value_traits();
            let value = value(quote!(__lt_v));
            quote! {
                #value_traits
                #error_traits
                match __lt_ret {
                    ::core::result::Result::Ok(__lt_v) => __lt_f.output(|| #value),
                    ::core::result::Result::Err(__lt_e) => __lt_f.error(#message),
                }
            }
        } else {
            quote! {
                #error_traits
                if let ::core::result::Result::Err(__lt_e) = __lt_ret {
                    __lt_f.error(#message);
                }
            }
        })
    } else if capture_output {
        let value_traits = value_traits();
        let value = value(quote!(__lt_ret));
        Some(quote! {
            #value_traits
            __lt_f.output(|| #value);
        })
    } else {
        None
    };
    match body {
        Some(body) => quote!(|__lt_f, __lt_ret| { #body }),
        None => quote!(|_, _| {}),
    }
}

fn is_unit(ty: &Type) -> bool {
    matches!(peel(ty), Type::Tuple(tuple) if tuple.elems.is_empty())
}

/// `Result<..>`, `io::Result<..>`, `anyhow::Result<..>`, ...
fn is_result(ty: &Type) -> bool {
    matches!(
        peel(ty),
        Type::Path(path) if path.path.segments.last().is_some_and(|last| last.ident == "Result")
    )
}

/// `.capture_items(..)`: records every item of an observed stream or
/// iterator (the item type comes from the bound of `capture_items`, as in
/// [`on_return`]).
pub(crate) fn items() -> TokenStream {
    let traits = value_traits();
    let value = value(quote!(__lt_item));
    quote!(.capture_items(|__lt_item| { #traits #value }))
}

/// The captured `Value` of `expr`, a reference; needs [`value_traits`] in
/// scope.
fn value(expr: TokenStream) -> TokenStream {
    quote!((&&&::langtrace::__private::Capture(#expr)).__lt_capture())
}

/// The `String` message of `expr`, a reference to an error; needs
/// [`error_traits`] in scope.
fn error_message(expr: TokenStream) -> TokenStream {
    quote!((&&&::langtrace::__private::ErrorMessage(#expr)).__lt_message())
}

fn value_traits() -> TokenStream {
    quote! {
        use ::langtrace::__private::{
            ViaSerialize as _, ViaDebug as _, ViaPlaceholder as _,
        };
    }
}

fn error_traits() -> TokenStream {
    quote! {
        use ::langtrace::__private::{
            ErrViaDisplay as _, ErrViaDebug as _, ErrViaPlaceholder as _,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_every_identifier_but_self() {
        let sig: Signature = syn::parse_quote! {
            fn f(
                &mut self,
                a: u8,
                mut b: u8,
                (c, _): (u8, u8),
                Point { x, y: renamed, .. }: Point,
                Wrapper(ref inner): Wrapper,
                [first, rest @ ..]: [u8; 3],
                _: u8,
                r#type: u8,
            )
        };
        let names: Vec<String> = bound_idents(&sig).iter().map(|ident| ident.unraw().to_string()).collect();
        assert_eq!(names, ["a", "b", "c", "x", "renamed", "inner", "first", "rest", "type"]);
    }
}
