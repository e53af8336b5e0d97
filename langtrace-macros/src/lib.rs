//! The `#[observe]` attribute macro of [langtrace].
//!
//! Use it through the `langtrace` crate (`langtrace::observe`): the
//! generated code refers to `::langtrace::__private`, the runtime support
//! that this crate expands to.
//!
//! [langtrace]: https://docs.rs/langtrace

mod args;
mod capture;
mod expand;
mod shape;
mod valid;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use syn::{Item, ItemFn};

use crate::args::{Args, Errors};

/// Records every call of a function as a Langfuse observation.
///
/// Each call opens a `tracing` span (target `langtrace::observe`, level
/// `INFO`) that the langtrace layer turns into an observation: its input is
/// the function's arguments, its output the return value, and observations
/// opened while it runs become its children, including across `.await`.
///
/// ```
/// use langtrace::observe;
///
/// #[observe(as_type = generation, model = "gpt-4o", skip(api_key))]
/// async fn complete(prompt: &str, temperature: f32, api_key: &str) -> Result<String, std::io::Error> {
///     # let _ = (temperature, api_key);
///     Ok(format!("echo: {prompt}"))
/// }
///
/// struct Retriever {
///     documents: Vec<String>,
/// }
///
/// impl Retriever {
///     // Observed until the caller has consumed the iterator; the output is
///     // the list of documents it yielded.
///     #[observe(as_type = retriever, level = debug)]
///     fn search<'a>(&'a self, query: &'a str) -> impl Iterator<Item = &'a String> + 'a {
///         self.documents.iter().filter(move |document| document.contains(query))
///     }
/// }
///
/// #[observe(name = "answer-question", as_type = chain)]
/// async fn answer(retriever: &Retriever, question: &str) -> Result<String, std::io::Error> {
///     let context: Vec<&String> = retriever.search(question).collect();
///     complete(&format!("{context:?}\n{question}"), 0.2, "sk-...").await
/// }
/// ```
///
/// The generated code refers to `::langtrace`, so the `langtrace` crate must
/// be a dependency of the crate using the attribute, under that name.
///
/// # Options
///
/// All options are optional, separated by commas, and may each be given at
/// most once.
///
/// | option | value | default |
/// | --- | --- | --- |
/// | `name = "..."` | the observation name | the function's name |
/// | `as_type = ...` | `span`, `generation`, `event`, `agent`, `tool`, `chain`, `retriever`, `evaluator`, `embedding` or `guardrail` | `span` |
/// | `capture_input = ...` | `true` or `false`: record the arguments | `true` |
/// | `capture_output = ...` | `true` or `false`: record the return value | `true` |
/// | `skip(a, b, ...)` | arguments not to record | none |
/// | `level = ...` | the initial level: `DEBUG`, `DEFAULT`, `WARNING` or `ERROR` | `DEFAULT` |
/// | `model = "..."` | the model name; only with `as_type = generation` or `embedding` | none |
///
/// `as_type` and `level` take an identifier or a string literal, in any
/// case: `as_type = tool`, `as_type = "Tool"` and `level = warning` are all
/// fine. Unknown options, unknown values, values of the wrong kind, repeated
/// options, `skip` of an argument that does not exist, `model` on a type that
/// is not generation-like and `#[observe]` on a `const fn` are compile errors
/// pointing at the offending token, all reported at once.
///
/// The generated code raises no warning of its own, from rustc or clippy
/// (including `clippy::pedantic`), so `#[observe]` fits crates that deny
/// warnings. None of it is an `#[allow]` around the fn's own code, whose
/// warnings are still reported.
///
/// # Supported function shapes
///
/// The observation ends when the function's work does, which depends on what
/// it returns:
///
/// | shape | the observation ends |
/// | --- | --- |
/// | `fn f(..) -> T` | when `f` returns |
/// | `async fn f(..) -> T` | when the future completes |
/// | `fn f(..) -> impl Future<Output = T>` | when the returned future completes |
/// | `fn f(..) -> Pin<Box<dyn Future<Output = T> + ..>>` whose body ends in `Box::pin(async move { .. })`, as `#[async_trait]` generates | when the boxed future completes |
/// | `fn f(..) -> impl Stream<Item = T>` | when the stream ends |
/// | `fn f(..) -> impl Iterator<Item = T>` | when the iterator ends |
///
/// Methods (`self`, `&self`, `&mut self`), trait impls, generic functions and
/// `where` clauses are supported; the signature, visibility and attributes
/// are kept as written. With `#[async_trait]`, put `#[observe]` on the method
/// inside the `#[async_trait]` impl; `#[async_trait]` renames pattern
/// arguments such as `(a, b): (u8, u8)` to `__argN`, which is then the
/// captured name.
///
/// These shapes are recognised **syntactically**, by the last path segment of
/// the types as written: `Result`, `Future` with an `Output` binding,
/// `Stream` or `Iterator` with an `Item` binding, and a body ending in a
/// `Box::pin(async ..)` call. A type alias hiding one of them (`type
/// Res<T> = Result<T, E>`, `BoxFuture<'a, T>`, ...) is not seen through: a
/// `Res<T>` is recorded as a plain output (an `Err` does not set the level),
/// and a function returning a `BoxFuture` is observed as a synchronous one,
/// ending when it returns the future.
///
/// # What gets captured
///
/// - **Input**: a JSON object with one entry per identifier bound by the
///   argument patterns (`fn f(a: u8, (b, c): (u8, u8))` gives `{"a": .., "b":
///   .., "c": ..}`), except `self` and the `skip`ped ones. Nothing is
///   recorded with `capture_input = false`, or if no argument is left.
/// - **Output**: the return value, the `Ok` value of a `Result`, or the
///   output of the future. Streams and iterators record their items: the
///   concatenation when the items are strings, the list of items otherwise;
///   the time of the first item becomes the completion start time. Functions
///   returning `()` record no output. Nothing is recorded with
///   `capture_output = false`.
///
/// Each value is converted with its [`Serialize`] impl if it has one, else
/// with its [`Debug`] impl (as a JSON string), else it becomes a
/// `"<unserializable TYPE>"` placeholder. The choice is made per type at
/// compile time, without any bound on your types; for a generic `T`, it
/// depends on the bounds `T` has in the function (`T: Serialize` is
/// serialized, an unbounded `T` gets the placeholder). Values are only
/// converted when the observation is actually recorded.
///
/// [`Serialize`]: https://docs.rs/serde/latest/serde/trait.Serialize.html
/// [`Debug`]: std::fmt::Debug
///
/// # Errors and panics
///
/// - When the output is an `Err`, the observation gets level `ERROR` and the
///   error's message as status message: its [`Display`] text, else its
///   `Debug` text, else a placeholder. This happens even with
///   `capture_output = false`.
/// - When the function (or a poll of its future or stream) panics, the
///   observation gets level `ERROR` with the panic message as status message,
///   and the panic then continues unwinding unchanged.
///
/// [`Display`]: std::fmt::Display
///
/// # Overhead
///
/// When no subscriber is interested in the span, arguments and return values
/// are never converted: what remains is a disabled-span check and, for
/// futures, streams and iterators, a thin wrapper.
#[proc_macro_attribute]
pub fn observe(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = TokenStream2::from(item);
    try_observe(args.into(), item.clone())
        .unwrap_or_else(|error| {
            // Keep the item so that the error is not buried under "cannot
            // find function" errors at its call sites.
            let mut tokens = error.into_compile_error();
            tokens.extend(item);
            tokens
        })
        .into()
}

/// `#[observe]` in three passes, as `thiserror`'s derive: parse the arguments
/// into [`Args`] (the syntax and each option on its own), validate them
/// together and against the fn ([`valid`]), then generate ([`expand`]). The
/// errors of the first two passes are all reported, each at its token.
fn try_observe(args: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let mut errors = Errors::default();
    let args = Args::parse(args, &mut errors);
    let func = match parse_fn(item) {
        Ok(func) => func,
        Err(error) => return Err(errors.and(error)),
    };
    let bound = capture::bound_idents(&func.sig);
    valid::check(&args, &func, &bound, &mut errors);
    errors.finish()?;
    Ok(expand::observe(&args, &func, &bound))
}

/// The annotated item, which must be a fn with a body.
fn parse_fn(item: TokenStream2) -> syn::Result<ItemFn> {
    match syn::parse2::<Item>(item)? {
        Item::Fn(func) => Ok(func),
        other => Err(syn::Error::new_spanned(other, "`#[observe]` can only be applied to functions with a body")),
    }
}
