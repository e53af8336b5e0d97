//! The typed model of `#[observe(...)]`'s arguments, and its parser.
//!
//! Parsing checks what can be checked one option at a time: the syntax, the
//! keys (unknown or repeated) and the kind of each value. An option that fails
//! these checks is reported at the offending token and left out of the model;
//! the others are still parsed, so that every error is reported at once. Rules
//! involving several options, or the fn itself, are checked afterwards by
//! [`crate::valid`].

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Meta, Path, Token};

/// The arguments of one `#[observe(...)]` attribute, as far as they parsed.
pub(crate) struct Args {
    /// `name = "..."`: the observation name; the fn's name when absent.
    pub name: Option<LitStr>,
    /// `as_type = ...`: the Langfuse observation type.
    pub as_type: ObservationType,
    /// `capture_input = bool`: record the named arguments as input.
    pub capture_input: bool,
    /// `capture_output = bool`: record the return value (or stream items) as output.
    pub capture_output: bool,
    /// `skip(a, b)`: arguments left out of the input.
    pub skip: Vec<Ident>,
    /// `level = ...`: the initial observation level.
    pub level: Option<Level>,
    /// `model = "..."`: the model name of a generation-like observation, with
    /// the key as written (errors about `model` point at it).
    pub model: Option<(Path, LitStr)>,
    /// `rig`: declare the fields rig-core records onto a completion's parent
    /// span, with the key as written (errors about `rig` point at it).
    pub rig: Option<Path>,
    /// The options given with a value that did not parse, whose errors are
    /// already reported: rules involving them are not checked.
    pub invalid: Vec<Key>,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            name: None,
            as_type: ObservationType::Span,
            capture_input: true,
            capture_output: true,
            skip: Vec::new(),
            level: None,
            model: None,
            rig: None,
            invalid: Vec::new(),
        }
    }
}

impl Args {
    /// Parses `tokens`, the attribute's arguments. Every option that is valid
    /// on its own is set; the errors of the others go to `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
        let mut args = Args::default();
        let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens) {
            Ok(metas) => metas,
            Err(error) => {
                errors.push(error);
                return args;
            }
        };
        let mut seen = Vec::new();
        for meta in &metas {
            let key = Key::of(meta.path()).and_then(|key| {
                if seen.contains(&key) {
                    Err(syn::Error::new_spanned(meta.path(), format!("duplicate option `{}`", key.as_str())))
                } else {
                    Ok(key)
                }
            });
            match key {
                Ok(key) => {
                    seen.push(key);
                    if let Err(error) = args.set(key, meta) {
                        args.invalid.push(key);
                        errors.push(error);
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        args
    }

    /// Sets the option `key` from `meta`, or says why its value is invalid.
    fn set(&mut self, key: Key, meta: &Meta) -> syn::Result<()> {
        match key {
            Key::Name => self.name = Some(value(meta).and_then(lit_str)?),
            Key::AsType => self.as_type = value(meta).and_then(keyword_value)?,
            Key::CaptureInput => self.capture_input = value(meta).and_then(lit_bool)?,
            Key::CaptureOutput => self.capture_output = value(meta).and_then(lit_bool)?,
            Key::Skip => self.skip = skip_list(meta)?,
            Key::Level => self.level = Some(value(meta).and_then(keyword_value)?),
            Key::Model => self.model = Some((meta.path().clone(), value(meta).and_then(lit_str)?)),
            Key::Rig => self.rig = Some(flag(meta)?),
        }
        Ok(())
    }

    /// The observation name: `name = "..."`, else the fn's identifier.
    pub(crate) fn name(&self, fn_ident: &Ident) -> LitStr {
        self.name.clone().unwrap_or_else(|| LitStr::new(&fn_ident.unraw().to_string(), fn_ident.span()))
    }
}

/// The option keys of `#[observe(...)]`.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Key {
    Name,
    AsType,
    CaptureInput,
    CaptureOutput,
    Skip,
    Level,
    Model,
    Rig,
}

impl Key {
    /// The key written as `path`, or an "unknown option" error at it.
    fn of(path: &syn::Path) -> syn::Result<Key> {
        Key::ALL
            .iter()
            .copied()
            .find(|key| path.is_ident(key.as_str()))
            .ok_or_else(|| Key::unknown(path, &path.to_token_stream().to_string()))
    }
}

impl Keyword for Key {
    const WHAT: &'static str = "option";
    const ALL: &'static [Self] =
        &[Key::Name, Key::AsType, Key::CaptureInput, Key::CaptureOutput, Key::Skip, Key::Level, Key::Model, Key::Rig];

    fn as_str(self) -> &'static str {
        match self {
            Key::Name => "name",
            Key::AsType => "as_type",
            Key::CaptureInput => "capture_input",
            Key::CaptureOutput => "capture_output",
            Key::Skip => "skip",
            Key::Level => "level",
            Key::Model => "model",
            Key::Rig => "rig",
        }
    }
}

/// The Langfuse observation types, `as_type = ...`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObservationType {
    Span,
    Generation,
    Event,
    Agent,
    Tool,
    Chain,
    Retriever,
    Evaluator,
    Embedding,
    Guardrail,
}

impl ObservationType {
    /// Whether the type describes a model call, which is what `model = ...` is for.
    pub(crate) fn is_generation_like(self) -> bool {
        matches!(self, ObservationType::Generation | ObservationType::Embedding)
    }
}

impl Keyword for ObservationType {
    const WHAT: &'static str = "observation type";
    const ALL: &'static [Self] = &[
        ObservationType::Span,
        ObservationType::Generation,
        ObservationType::Event,
        ObservationType::Agent,
        ObservationType::Tool,
        ObservationType::Chain,
        ObservationType::Retriever,
        ObservationType::Evaluator,
        ObservationType::Embedding,
        ObservationType::Guardrail,
    ];

    fn as_str(self) -> &'static str {
        match self {
            ObservationType::Span => "span",
            ObservationType::Generation => "generation",
            ObservationType::Event => "event",
            ObservationType::Agent => "agent",
            ObservationType::Tool => "tool",
            ObservationType::Chain => "chain",
            ObservationType::Retriever => "retriever",
            ObservationType::Evaluator => "evaluator",
            ObservationType::Embedding => "embedding",
            ObservationType::Guardrail => "guardrail",
        }
    }
}

/// The Langfuse observation levels, `level = ...`.
#[derive(Clone, Copy)]
pub(crate) enum Level {
    Debug,
    Default,
    Warning,
    Error,
}

impl Keyword for Level {
    const WHAT: &'static str = "level";
    const ALL: &'static [Self] = &[Level::Debug, Level::Default, Level::Warning, Level::Error];

    fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Default => "DEFAULT",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// A closed set of words: option keys and the values of `as_type` and
/// `level`.
pub(crate) trait Keyword: Copy + 'static {
    /// What the word is, for error messages.
    const WHAT: &'static str;
    /// Every word, in the order error messages list them.
    const ALL: &'static [Self];

    /// The canonical spelling, as written in the attribute and recorded on the
    /// span.
    fn as_str(self) -> &'static str;

    /// An error at `tokens`, which spell `written`, listing the valid words.
    fn unknown(tokens: impl ToTokens, written: &str) -> syn::Error {
        let expected = Self::ALL.iter().map(|word| format!("`{}`", word.as_str())).collect::<Vec<_>>().join(", ");
        syn::Error::new_spanned(tokens, format!("unknown {} `{written}`; expected one of {expected}", Self::WHAT))
    }
}

/// The value of `as_type` or `level`: an identifier or a string literal,
/// matched case-insensitively.
fn keyword_value<K: Keyword>(expr: &Expr) -> syn::Result<K> {
    let written = match expr {
        Expr::Path(ExprPath { path, .. }) => path.get_ident().map(|ident| ident.unraw().to_string()),
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => Some(lit.value()),
        _ => None,
    }
    .unwrap_or_else(|| expr.to_token_stream().to_string());
    K::ALL
        .iter()
        .copied()
        .find(|word| word.as_str().eq_ignore_ascii_case(&written))
        .ok_or_else(|| K::unknown(expr, &written))
}

/// The value of `key = value`.
fn value(meta: &Meta) -> syn::Result<&Expr> {
    match meta {
        Meta::NameValue(name_value) => Ok(&name_value.value),
        _ => Err(syn::Error::new_spanned(meta, format!("expected `{} = ...`", meta.path().to_token_stream()))),
    }
}

/// The key of an option written alone, without a value (`rig`).
fn flag(meta: &Meta) -> syn::Result<Path> {
    match meta {
        Meta::Path(path) => Ok(path.clone()),
        _ => Err(syn::Error::new_spanned(
            meta,
            format!("expected `{}` alone, without a value", meta.path().to_token_stream()),
        )),
    }
}

/// The identifiers of `skip(a, b, ...)`.
fn skip_list(meta: &Meta) -> syn::Result<Vec<Ident>> {
    match meta {
        Meta::List(list) => {
            Ok(list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated)?.into_iter().collect())
        }
        _ => Err(syn::Error::new_spanned(meta, "expected `skip(argument, ...)`")),
    }
}

/// The value of `name = "..."` or `model = "..."`.
fn lit_str(expr: &Expr) -> syn::Result<LitStr> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => Ok(lit.clone()),
        _ => Err(syn::Error::new_spanned(expr, "expected a string literal")),
    }
}

/// The value of `capture_input = ...` or `capture_output = ...`.
fn lit_bool(expr: &Expr) -> syn::Result<bool> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Bool(lit), .. }) => Ok(lit.value),
        _ => Err(syn::Error::new_spanned(expr, "expected `true` or `false`")),
    }
}

/// Collects errors so that all of them are reported at once, in the order
/// they were found.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds `error` after the ones already collected.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Every error collected, then `last`, as one.
    pub(crate) fn and(self, last: syn::Error) -> syn::Error {
        match self.0 {
            Some(mut errors) => {
                errors.combine(last);
                errors
            }
            None => last,
        }
    }

    /// `Ok` when nothing was collected, else every error as one.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
