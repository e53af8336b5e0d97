//! Code generation: one function per [`Shape`], for an `#[observe]` that
//! [`crate::valid`] accepted.
//!
//! Every shape starts the same way: create `__lt_span` (an INFO span with
//! the `langtrace.*` fields the layer turns into an observation), then open
//! `__lt_obs` from it, recording the input. What follows depends on when the
//! observation ends.
//!
//! # No warnings in the user's crate
//!
//! rustc and clippy leave code alone when its span comes from a macro
//! expansion, but the user's tokens spliced into it are the user's code. The
//! generated code must not raise any warning there, whatever the crate denies:
//!
//! - The fn's statements are put back in braces of the macro's own ([`body`]):
//!   the user's braces as a value (`let x: T = { a + 1 };`, or the last
//!   expression of a block) are what `unused_braces` reports for a body on one
//!   line.
//! - The closures and blocks spanned at the body for diagnostics get the
//!   macro's hygiene at the user's location ([`at`]): errors still point at
//!   the user's code, while lints know these tokens are generated.
//! - Closures take the types of their parameters from the bounds of the runtime
//!   functions they are passed to instead of annotations: `&Option<&T>` is
//!   `clippy::ref_option_ref` even in generated code.
//! - The one lint that cannot be avoided, `unreachable_code` after an `async`
//!   body that diverges, is allowed on the generated statement alone; nothing
//!   of the user's code is under an `#[allow]`.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{AttrStyle, Block, Expr, ExprAsync, Ident, ItemFn, ReturnType, Stmt, Type};

use crate::args::{Args, Keyword, ObservationType};
use crate::capture;
use crate::shape::{Sequence, Shape};

/// The observed version of `func`, whose `args` passed validation; `bound`
/// are the identifiers its arguments bind.
pub(crate) fn observe(args: &Args, func: &ItemFn, bound: &[Ident]) -> TokenStream {
    let span = span(args, func);
    let input = args.capture_input.then(|| capture::input(bound, &args.skip)).flatten();
    let shape = Shape::of(func);
    // A sync fn's body records its input itself (see `sync`); other shapes open the
    // observation with it first.
    let open = match (&shape, &input) {
        (Shape::Sync, _) => None,
        (_, Some(input)) => Some(quote!(let __lt_obs = ::langtrace::__private::Observation::open(__lt_span, #input);)),
        (_, None) => Some(quote!(let __lt_obs = ::langtrace::__private::Observation::new(__lt_span);)),
    };
    let body = match shape {
        Shape::Sync => sync(args, func, input.as_ref()),
        Shape::Async => asynchronous(args, func),
        Shape::ImplFuture { output } => impl_future(args, &func.block, output),
        Shape::BoxedAsync { output, prefix, pin, future } => boxed_async(args, output, prefix, pin, future),
        Shape::Sequence { kind } => sequence(args, &func.block, kind),
    };

    let ItemFn { attrs, vis, sig, .. } = func;
    let (inner_attrs, outer_attrs): (Vec<_>, Vec<_>) =
        attrs.iter().partition(|attr| matches!(attr.style, AttrStyle::Inner(_)));
    quote! {
        #(#outer_attrs)*
        #vis #sig {
            #(#inner_attrs)*
            #span
            #open
            #body
        }
    }
}

/// `let __lt_span = span!(..);` with a `langtrace.*` field for each option that
/// differs from the default (a span without fields is cheaper to create).
fn span(args: &Args, func: &ItemFn) -> TokenStream {
    let name = args.name(&func.sig.ident);
    let as_type = (args.as_type != ObservationType::Span).then(|| {
        let as_type = args.as_type.as_str();
        quote!(langtrace.as_type = #as_type)
    });
    let model = args.model.as_ref().map(|(_, model)| quote!(langtrace.model = #model));
    let level = args.level.map(|level| {
        let level = level.as_str();
        quote!(langtrace.level = #level)
    });
    let rig = args.rig.is_some().then(rig_fields);
    let fields = as_type.into_iter().chain(model).chain(level).chain(rig);
    quote! {
        let __lt_span = ::langtrace::__private::tracing::span!(
            target: "langtrace::observe",
            ::langtrace::__private::tracing::Level::INFO,
            #name
            #(, #fields)*
        );
    }
}

/// The fields of `rig`: the marker by which rig-core (0.41 and later) adopts
/// the current span as a completion's span instead of opening a child, and
/// every field it then requires and records, declared empty. rig-core 0.40 and
/// earlier record into the current span whatever it is, so these declarations
/// are what keeps that data.
fn rig_fields() -> TokenStream {
    const REQUIRED: [&str; 14] = [
        "gen_ai.operation.name",
        "gen_ai.provider.name",
        "gen_ai.request.model",
        "gen_ai.system_instructions",
        "gen_ai.response.id",
        "gen_ai.response.model",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.tool_use_prompt_tokens",
        "gen_ai.usage.reasoning_tokens",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
    ];
    let empty = REQUIRED.iter().map(|field| quote!(#field = ::langtrace::__private::tracing::field::Empty));
    quote!("rig.completion_parent" = true #(, #empty)*)
}

/// `fn f() -> T`: the body runs in a closure under `observe_sync`, and first
/// records its input (so a span nobody records costs no more than its check).
fn sync(args: &Args, func: &ItemFn, input: Option<&TokenStream>) -> TokenStream {
    let ret = return_type(&func.sig.output);
    let body = body(&func.block);
    let sink = quote!(::langtrace::__private::InputSink<'_>);
    // At the body, so that errors about the closure (e.g. `?` in a fn returning
    // `()`) point at it rather than at the attribute.
    let closure = match input {
        Some(input) => quote_spanned!(at(func.block.span())=> move |__lt_input: &mut #sink| -> #ret {
            __lt_input.capture(#input);
            #body
        }),
        None => quote_spanned!(at(func.block.span())=> move |_: &mut #sink| -> #ret #body),
    };
    let on_return = capture::on_return(&ret, args.capture_output);
    quote!(::langtrace::__private::observe_sync(__lt_span, #closure, #on_return))
}

/// `async fn f() -> T`: the body becomes an observed `async` block, awaited.
fn asynchronous(args: &Args, func: &ItemFn) -> TokenStream {
    let ret = return_type(&func.sig.output);
    let body = body(&func.block);
    // The `let` pins the body's type for `?` and `return` inference.
    let future = quote_spanned! {at(func.block.span())=>
        async move {
            let __lt_ret: #ret = #body;
            #[allow(unreachable_code)] // after a body that diverges
            __lt_ret
        }
    };
    let future = observed_future(args, future, &ret);
    quote!(#future.await)
}

/// `fn f() -> impl Future<Output = T>`: the body runs in the span, then the
/// future it returns is observed.
fn impl_future(args: &Args, block: &Block, output: &Type) -> TokenStream {
    let body = in_span(block);
    let future = observed_future(args, quote!(__lt_future), output);
    quote! {
        let __lt_future = #body;
        #future
    }
}

/// `#[async_trait]` methods: the `async` block inside `Box::pin(..)` is
/// observed.
fn boxed_async(args: &Args, output: &Type, prefix: &[Stmt], pin: &Expr, future: &ExprAsync) -> TokenStream {
    let future = observed_future(args, quote!(#future), output);
    quote! {
        #(#prefix)*
        #pin(#future)
    }
}

/// `fn f() -> impl Stream<Item = T>` / `impl Iterator<Item = T>`: the body
/// runs in the span, then the sequence it returns is observed until its end.
fn sequence(args: &Args, block: &Block, kind: Sequence) -> TokenStream {
    let body = in_span(block);
    let observed = match kind {
        Sequence::Stream => quote!(::langtrace::__private::ObservedStream),
        Sequence::Iterator => quote!(::langtrace::__private::ObservedIter),
    };
    let capture_items = args.capture_output.then(capture::items);
    quote! {
        let __lt_items = #body;
        #observed::new(__lt_obs, __lt_items) #capture_items
    }
}

/// `ObservedFuture::new(__lt_obs, future, on_ready)`.
fn observed_future(args: &Args, future: TokenStream, output: &Type) -> TokenStream {
    let on_ready = capture::on_return(output, args.capture_output);
    quote!(::langtrace::__private::ObservedFuture::new(__lt_obs, #future, #on_ready))
}

/// Runs `block` inside the span, so that what it logs while building the
/// future or sequence belongs to the observation.
fn in_span(block: &Block) -> TokenStream {
    let body = body(block);
    let body = quote_spanned!(at(block.span())=> move || #body);
    quote!(__lt_obs.in_scope(#body))
}

/// The statements of `block` in braces of the macro's own, at the place of
/// the user's braces (see [`at`]): a block used as a value, unlike the user's,
/// is never reported by `unused_braces`.
fn body(block: &Block) -> TokenStream {
    let stmts = &block.stmts;
    let mut braces = Group::new(Delimiter::Brace, quote!(#(#stmts)*));
    braces.set_span(at(block.brace_token.span.join()));
    braces.into_token_stream()
}

/// A span at the location of `span` with the hygiene of the macro's call
/// site: diagnostics point at the user's code, but lints know the tokens are
/// generated (`Span::from_expansion`) and skip them.
fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}

/// The return type with every `impl Trait` replaced by `_`, fit for a
/// closure's return type or a `let`; `()` when there is none.
fn return_type(output: &ReturnType) -> Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => erase_impl_trait(ty),
    }
}

/// `ty` with every `impl Trait` replaced by `_` (see [`ImplTraitEraser`]).
fn erase_impl_trait(ty: &Type) -> Type {
    let mut ty = ty.clone();
    ImplTraitEraser.visit_type_mut(&mut ty);
    ty
}

/// Replaces `impl Trait` by `_`: the hidden type is not nameable inside the
/// defining fn, but it is inferable.
struct ImplTraitEraser;

impl VisitMut for ImplTraitEraser {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            *ty = Type::Infer(syn::TypeInfer { underscore_token: syn::Token![_](impl_trait.span()) });
        } else {
            visit_mut::visit_type_mut(self, ty);
        }
    }
}
