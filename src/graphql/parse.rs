//! A hand-written parser for executable GraphQL documents that builds exactly the AST of
//! async-graphql's pest-based `parse_query`, more than ten times faster.
//!
//! Why: on a query text the server has never seen, async-graphql's parser was the largest cost,
//! 32–40% of the server's CPU time (issue 7); it took 82–85 µs for the 658-byte detail page,
//! which this parser reads in 6–8 µs (`cargo bench --bench query_path`).
//!
//! It is a fast path, not a replacement: on any input it rejects (a syntax error, a document
//! async-graphql refuses, or nesting deeper than it cares to follow) it returns `None`, and the
//! caller falls back to `async_graphql::parser::parse_query`, which then reports the error. So it
//! never has to produce an error message, only to be sure that whatever it returns is what pest
//! would have returned.
//!
//! The parser is scannerless and mirrors the pest grammar (`graphql.pest` in
//! async-graphql-parser 7.2.1) rule by rule, including its quirks:
//!
//! - Between two tokens of a non-atomic rule pest skips `WHITESPACE | COMMENT`, where whitespace
//!   is space, tab, comma, BOM and the line terminators; atomic rules (`type_`, numbers, strings,
//!   names, `type_condition`) allow none. So `[Int]!` may not contain spaces, and `on` needs real
//!   whitespace (not a comment) before the type name; yet `$ name` and `@ name` are fine.
//! - Keywords are literal prefixes, not words: `queryQ { a }` is the query `Q`, `fragmentF on T`
//!   the fragment `F`, and in a value `nullable` is `null` followed by the name `able`.
//! - A number stops where the grammar stops it: `0123` is `0` then `123`; a name character right
//!   after a number is an error.
//! - An unterminated block string `"""…` is read as the empty string `""` followed by whatever
//!   comes after those two quotes.
//!
//! The grammar is otherwise deterministic: wherever pest would backtrack out of a failed optional
//! part, the next token can start nothing else, so failing at once gives the same answer.

use std::collections::{hash_map::Entry, HashMap};

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition, FragmentSpread, InlineFragment,
    OperationDefinition, OperationType, Selection, SelectionSet, Type, TypeCondition, VariableDefinition,
};
use async_graphql::{Pos, Positioned};
use async_graphql_value::{Name, Number, Value};

/// How many selection sets may nest below an operation's or fragment's own one: async-graphql's
/// `MAX_RECURSION_DEPTH`, which it enforces after the grammar has matched. Deeper documents are an
/// error there, so they must be `None` here.
const MAX_SELECTION_DEPTH: usize = 64;

/// How deeply lists and objects may nest in a value, and list types in a type. async-graphql sets
/// no limit (only its stack does); ours keeps this parser's recursion bounded. A document past it
/// is merely handed to the fallback.
const MAX_NESTING: usize = 128;

/// Slots of the name cache: about the number of distinct names in a large query.
const NAME_CACHE: usize = 64;

/// Parses an executable GraphQL document into the same `ExecutableDocument` that
/// `async_graphql_parser::parse_query` builds, positions included.
///
/// Returns `None` whenever async-graphql would return an error — a syntax error, a missing,
/// duplicated or anonymous-beside-named operation, a duplicated fragment, an out-of-range number,
/// selection sets nested more than 64 deep — and also on values or types nested more than 128
/// deep, which async-graphql may accept. Callers fall back to async-graphql's parser on `None`.
/// Never panics, and its recursion is bounded whatever the input.
#[must_use]
pub fn parse_query(source: &str) -> Option<ExecutableDocument> {
    Parser {
        src: source,
        bytes: source.as_bytes(),
        at: 0,
        counted: 0,
        line: 1,
        column: 1,
        names: [const { None }; NAME_CACHE],
        selections: Vec::new(),
    }
    .document()
}

/// Panics unless `doc` is the document async-graphql's parser builds of `source`, and says where
/// they differ. Debug builds check every document this parser builds with it
/// ([`super::engine::Engine::document`]), and so does the fuzz target `query_parser`.
pub fn assert_same_as_async_graphql(source: &str, doc: &ExecutableDocument) {
    // Operations and fragments sit in hash maps with random order: compare them in name order.
    fn canonical(doc: &ExecutableDocument) -> String {
        let fragments: std::collections::BTreeMap<_, _> = doc.fragments.iter().collect();
        match &doc.operations {
            DocumentOperations::Single(op) => format!("Single({op:?}) {fragments:?}"),
            DocumentOperations::Multiple(ops) => {
                format!("Multiple({:?}) {fragments:?}", ops.iter().collect::<std::collections::BTreeMap<_, _>>())
            }
        }
    }
    match async_graphql::parser::parse_query(source) {
        Ok(theirs) => assert_eq!(canonical(doc), canonical(&theirs), "our parser read {source:?} differently"),
        Err(e) => panic!("async-graphql's parser refuses {source:?} ({e}), ours built {doc:?}"),
    }
}

/// The state of one parse: the cursor, and a position calculator that follows it.
struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    /// Byte offset of the next unread byte. Every method that reads a token leaves it on the next
    /// token, past any whitespace and comments, as pest's implicit skipping does.
    at: usize,
    /// Byte offset up to which `line` and `column` have been counted.
    counted: usize,
    line: usize,
    column: usize,
    /// Recently made names, by hash of their text. A query repeats its field and argument names
    /// (`id`, `name`, `nodes`…): a repeat is then an `Arc` clone instead of an allocation.
    names: [Option<Name>; NAME_CACHE],
    /// The selections of the selection sets being read, innermost last: each set then gets a
    /// vector of exactly its size, allocated once, rather than one grown by doubling.
    selections: Vec<Positioned<Selection>>,
}

impl<'a> Parser<'a> {
    /// `executable_document = SOI ~ executable_definition+ ~ EOI`, then async-graphql's checks on
    /// how operations and fragments may be combined.
    fn document(mut self) -> Option<ExecutableDocument> {
        let mut operations = None;
        let mut fragments = HashMap::new();
        self.skip();
        while self.at < self.bytes.len() {
            // A definition is positioned at its first token: the keyword, or `{` for the shorthand.
            let pos = self.pos();
            if self.peek() == b'{' {
                let selection_set = self.selection_set(MAX_SELECTION_DEPTH)?;
                let definition = OperationDefinition {
                    ty: OperationType::Query,
                    variable_definitions: Vec::new(),
                    directives: Vec::new(),
                    selection_set,
                };
                add_operation(&mut operations, None, Positioned::new(definition, pos))?;
            } else if let Some(ty) = self.operation_type() {
                let name = if is_name_start(self.peek()) { Some(self.name()?) } else { None };
                let variable_definitions = if self.peek() == b'(' { self.variable_definitions()? } else { Vec::new() };
                let directives = self.directives()?;
                let selection_set = self.selection_set(MAX_SELECTION_DEPTH)?;
                let definition = OperationDefinition { ty, variable_definitions, directives, selection_set };
                add_operation(&mut operations, name.map(|name| name.node), Positioned::new(definition, pos))?;
            } else if self.keyword("fragment") {
                let name = self.name()?;
                let type_condition = self.type_condition()?;
                let directives = self.directives()?;
                let selection_set = self.selection_set(MAX_SELECTION_DEPTH)?;
                let definition = FragmentDefinition { type_condition, directives, selection_set };
                match fragments.entry(name.node) {
                    Entry::Occupied(_) => return None,
                    Entry::Vacant(entry) => {
                        entry.insert(Positioned::new(definition, pos));
                    }
                }
            } else {
                return None;
            }
        }
        // A document of fragments only (or of nothing) has no operation: an error in async-graphql.
        Some(ExecutableDocument { operations: operations?, fragments })
    }

    /// `operation_type`: a literal prefix, so `queryQ` reads as `query` then the name `Q`.
    fn operation_type(&mut self) -> Option<OperationType> {
        if self.keyword("query") {
            Some(OperationType::Query)
        } else if self.keyword("mutation") {
            Some(OperationType::Mutation)
        } else if self.keyword("subscription") {
            Some(OperationType::Subscription)
        } else {
            None
        }
    }

    /// `variable_definitions = "(" ~ variable_definition* ~ ")"`: unlike arguments, may be empty.
    fn variable_definitions(&mut self) -> Option<Vec<Positioned<VariableDefinition>>> {
        self.punct(b'(')?;
        let mut definitions = Vec::new();
        while self.peek() == b'$' {
            definitions.push(self.variable_definition()?);
        }
        self.punct(b')')?;
        Some(definitions)
    }

    /// `variable_definition = variable ~ ":" ~ type_ ~ directives? ~ default_value?`. Note the
    /// order: pest wants directives *before* the default value, the reverse of the spec.
    fn variable_definition(&mut self) -> Option<Positioned<VariableDefinition>> {
        // The definition is positioned at its `$`, its name at the name after it.
        let pos = self.pos();
        self.punct(b'$')?;
        let name = self.name()?;
        self.punct(b':')?;
        let var_type = self.var_type()?;
        let directives = self.directives()?;
        let default_value = if self.peek() == b'=' {
            self.punct(b'=')?;
            let pos = self.pos();
            // Parsed as a `Value` that may hold no variable, so the conversion cannot fail.
            let value = self.value(true, 0)?.into_const()?;
            Some(Positioned::new(value, pos))
        } else {
            None
        };
        Some(Positioned::new(VariableDefinition { name, var_type, directives, default_value }, pos))
    }

    /// `type_`, an atomic rule: no whitespace inside. Like async-graphql we check its text and
    /// then let `Type::new` build it, so the result cannot differ.
    fn var_type(&mut self) -> Option<Positioned<Type>> {
        let pos = self.pos();
        let start = self.at;
        self.type_text(0)?;
        let ty = Type::new(&self.src[start..self.at])?;
        self.skip();
        Some(Positioned::new(ty, pos))
    }

    /// Matches `(name | "[" ~ type_ ~ "]") ~ "!"?` without skipping anything.
    fn type_text(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_NESTING {
            return None;
        }
        if self.eat(b'[') {
            self.type_text(depth + 1)?;
            self.eat(b']').then_some(())?;
        } else {
            self.raw_name()?;
        }
        self.eat(b'!');
        Some(())
    }

    /// `directives?`: zero or more `"@" ~ name ~ arguments?`, each positioned at its `@`.
    fn directives(&mut self) -> Option<Vec<Positioned<Directive>>> {
        let mut directives = Vec::new();
        while self.peek() == b'@' {
            let pos = self.pos();
            self.punct(b'@')?;
            let name = self.name()?;
            let arguments = if self.peek() == b'(' { self.arguments()? } else { Vec::new() };
            directives.push(Positioned::new(Directive { name, arguments }, pos));
        }
        Some(directives)
    }

    /// `arguments = "(" ~ argument+ ~ ")"`, each argument being `name ~ ":" ~ value`.
    fn arguments(&mut self) -> Option<Vec<(Positioned<Name>, Positioned<Value>)>> {
        self.punct(b'(')?;
        let mut arguments = Vec::new();
        loop {
            let name = self.name()?;
            self.punct(b':')?;
            let pos = self.pos();
            arguments.push((name, Positioned::new(self.value(false, 0)?, pos)));
            if self.peek() == b')' {
                self.punct(b')')?;
                return Some(arguments);
            }
        }
    }

    /// `selection_set = "{" ~ selection+ ~ "}"`, positioned at its `{`. `remaining` is how many
    /// more levels may nest below this one, counted as async-graphql counts them.
    fn selection_set(&mut self, remaining: usize) -> Option<Positioned<SelectionSet>> {
        let pos = self.pos();
        self.punct(b'{')?;
        let start = self.selections.len();
        loop {
            let selection = self.selection(remaining)?;
            self.selections.push(selection);
            if self.peek() == b'}' {
                self.punct(b'}')?;
                let items = self.selections.split_off(start);
                return Some(Positioned::new(SelectionSet { items }, pos));
            }
        }
    }

    /// `selection = field | inline_fragment | fragment_spread`. A selection and the field or
    /// fragment inside it share one position: the first token of both.
    fn selection(&mut self, remaining: usize) -> Option<Positioned<Selection>> {
        let pos = self.pos();
        if is_name_start(self.peek()) {
            let field = self.field(remaining)?;
            return Some(Positioned::new(Selection::Field(Positioned::new(field, pos)), pos));
        }
        if !self.bytes[self.at..].starts_with(b"...") {
            return None;
        }
        self.at += 3;
        self.skip();
        // Pest tries an inline fragment first; a fragment spread is only what remains when no
        // type condition can be read (`!type_condition`), so `... on {` spreads a fragment `on`.
        let type_condition = if self.type_condition_gap().is_some() { Some(self.type_condition()?) } else { None };
        let selection = if type_condition.is_some() || matches!(self.peek(), b'@' | b'{') {
            let directives = self.directives()?;
            // Checked before the selection set is read, as async-graphql does.
            let selection_set = self.selection_set(remaining.checked_sub(1)?)?;
            Selection::InlineFragment(Positioned::new(
                InlineFragment { type_condition, directives, selection_set },
                pos,
            ))
        } else {
            let fragment_name = self.name()?;
            let directives = self.directives()?;
            Selection::FragmentSpread(Positioned::new(FragmentSpread { fragment_name, directives }, pos))
        };
        Some(Positioned::new(selection, pos))
    }

    /// `field = alias? ~ name ~ arguments? ~ directives? ~ selection_set?`.
    fn field(&mut self, remaining: usize) -> Option<Field> {
        let first = self.name()?;
        let (alias, name) = if self.peek() == b':' {
            self.punct(b':')?;
            (Some(first), self.name()?)
        } else {
            (None, first)
        };
        let arguments = if self.peek() == b'(' { self.arguments()? } else { Vec::new() };
        let directives = self.directives()?;
        // A leaf field gets async-graphql's default, an empty set at position 0:0.
        let selection_set =
            if self.peek() == b'{' { self.selection_set(remaining.checked_sub(1)?)? } else { Positioned::default() };
        Some(Field { alias, name, arguments, directives, selection_set })
    }

    /// If `type_condition = ${ "on" ~ WHITESPACE+ ~ name }` matches here, the length of its
    /// whitespace. Being compound-atomic, it takes whitespace but no comment after `on`.
    fn type_condition_gap(&self) -> Option<usize> {
        let rest = self.bytes[self.at..].strip_prefix(b"on")?;
        let mut gap = 0;
        while let Some(len) = whitespace_len(&rest[gap..]) {
            gap += len;
        }
        (gap > 0 && rest.get(gap).is_some_and(|&b| is_name_start(b))).then_some(gap)
    }

    /// `type_condition`, positioned at `on`, its name at the type name.
    fn type_condition(&mut self) -> Option<Positioned<TypeCondition>> {
        let gap = self.type_condition_gap()?;
        let pos = self.pos();
        self.at += "on".len() + gap;
        let on = self.name()?;
        Some(Positioned::new(TypeCondition { on }, pos))
    }

    /// `value` (or `const_value` when `constant`, which refuses variables at any depth). The caller
    /// positions the value: only the outermost one of a list or object carries a position.
    fn value(&mut self, constant: bool, depth: usize) -> Option<Value> {
        if depth > MAX_NESTING {
            return None;
        }
        let value = match self.peek() {
            b'$' if !constant => {
                self.punct(b'$')?;
                Value::Variable(self.name()?.node)
            }
            b'-' | b'0'..=b'9' => Value::Number(self.number()?),
            b'"' => Value::String(self.string()?),
            b'[' => {
                self.punct(b'[')?;
                let mut items = Vec::new();
                while self.peek() != b']' {
                    items.push(self.value(constant, depth + 1)?);
                }
                self.punct(b']')?;
                Value::List(items)
            }
            b'{' => {
                self.punct(b'{')?;
                // Collected like pest's parser does, so a repeated key keeps its first place and
                // its last value.
                let mut fields = Vec::new();
                while self.peek() != b'}' {
                    let name = self.name()?.node;
                    self.punct(b':')?;
                    fields.push((name, self.value(constant, depth + 1)?));
                }
                self.punct(b'}')?;
                Value::Object(fields.into_iter().collect())
            }
            // `boolean` and `null` come before `enum_value` and are literal prefixes.
            _ => {
                if self.keyword("true") {
                    Value::Boolean(true)
                } else if self.keyword("false") {
                    Value::Boolean(false)
                } else if self.keyword("null") {
                    Value::Null
                } else {
                    Value::Enum(self.name()?.node)
                }
            }
        };
        Some(value)
    }

    /// `number = @{ (float | int) ~ !name_start }`, converted as async-graphql does: by
    /// `Number::from_str`, which also refuses out-of-range floats such as `1e400`.
    fn number(&mut self) -> Option<Number> {
        let start = self.at;
        self.eat(b'-');
        // `int` takes a lone `0` and stops: `0123` is the number 0 followed by the number 123.
        if !self.eat(b'0') {
            if !matches!(self.peek(), b'1'..=b'9') {
                return None;
            }
            self.digits();
        }
        // `fractional` and `exponent` each need a digit, else they are not part of the number.
        if self.peek() == b'.' && self.peek_at(1).is_ascii_digit() {
            self.at += 1;
            self.digits();
        }
        if matches!(self.peek(), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek_at(1), b'+' | b'-'));
            if self.peek_at(1 + sign).is_ascii_digit() {
                self.at += 1 + sign;
                self.digits();
            }
        }
        if is_name_start(self.peek()) {
            return None;
        }
        let number = self.src[start..self.at].parse().ok()?;
        self.skip();
        Some(number)
    }

    /// `string`: a block string, or a quoted string with escapes. Kept out of line so that its
    /// locals do not swell the frame of the recursive `value`.
    #[inline(never)]
    fn string(&mut self) -> Option<String> {
        if self.bytes[self.at..].starts_with(b"\"\"\"") {
            if let Some(value) = self.block_string() {
                return Some(value);
            }
            // Pest then tries a quoted string at the same place, which matches the empty `""`.
            self.at += 2;
            self.skip();
            return Some(String::new());
        }
        self.at += 1;
        let start = self.at;
        let mut escaped = false;
        loop {
            match self.bytes.get(self.at)? {
                b'"' => break,
                b'\r' | b'\n' => return None,
                b'\\' => {
                    escaped = true;
                    self.at += match self.peek_at(1) {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        b'u' if self.scalar_value_escape() => 6,
                        _ => return None,
                    };
                }
                // Other bytes, control characters included, stand for themselves. Stepping by
                // byte is safe: every byte tested above is ASCII, never part of another character.
                _ => self.at += 1,
            }
        }
        let raw = &self.src[start..self.at];
        self.at += 1;
        self.skip();
        Some(if escaped { unescape(raw) } else { raw.to_owned() })
    }

    /// Whether a `\u` here is followed by four hex digits that are not a surrogate (`D800` to
    /// `DFFF`): the grammar refuses surrogates, even paired, since a Rust string cannot hold them.
    fn scalar_value_escape(&self) -> bool {
        let hex = self.bytes.get(self.at + 2..self.at + 6).unwrap_or_default();
        hex.len() == 4
            && hex.iter().all(u8::is_ascii_hexdigit)
            && !(matches!(hex[0], b'd' | b'D') && matches!(hex[1], b'8' | b'9' | b'a'..=b'f' | b'A'..=b'F'))
    }

    /// The block string starting here, or `None` (with the cursor unmoved) when it never ends.
    /// `\"""` does not end it, and, as in async-graphql, stays in the value backslash and all.
    fn block_string(&mut self) -> Option<String> {
        let start = self.at + 3;
        let mut end = start;
        loop {
            let rest = self.bytes.get(end..).filter(|rest| !rest.is_empty())?;
            if rest.starts_with(b"\"\"\"") {
                break;
            }
            end += if rest.starts_with(b"\\\"\"\"") { 4 } else { 1 };
        }
        let value = block_string_value(&self.src[start..end]);
        self.at = end + 3;
        self.skip();
        Some(value)
    }

    /// A `name`, positioned at its first character; skips what follows it.
    fn name(&mut self) -> Option<Positioned<Name>> {
        let pos = self.pos();
        let text = self.raw_name()?;
        let name = self.intern(text);
        self.skip();
        Some(Positioned::new(name, pos))
    }

    /// The `Name` for `text`, shared with an earlier one if the cache still holds it.
    fn intern(&mut self, text: &str) -> Name {
        // A weak hash is enough: a collision only costs an allocation. Names are never empty.
        let bytes = text.as_bytes();
        let mix =
            usize::from(bytes[0]) ^ usize::from(bytes[bytes.len() / 2]) << 2 ^ usize::from(bytes[bytes.len() - 1]) << 4;
        let slot = &mut self.names[(mix ^ bytes.len().wrapping_mul(0x9E37)) % NAME_CACHE];
        match slot {
            Some(name) if name.as_str() == text => name.clone(),
            _ => slot.insert(Name::new(text)).clone(),
        }
    }

    /// The text of the `name` here (`[_A-Za-z][_0-9A-Za-z]*`), skipping nothing after it.
    fn raw_name(&mut self) -> Option<&'a str> {
        let start = self.at;
        if !is_name_start(self.peek()) {
            return None;
        }
        let rest = &self.bytes[start + 1..];
        self.at += 1 + rest.iter().position(|&b| CLASS[usize::from(b)] & NAME == 0).unwrap_or(rest.len());
        Some(&self.src[start..self.at])
    }

    /// Consumes the literal `word` if the input starts with it here, whatever follows it (pest's
    /// literals are prefixes), and skips what follows.
    fn keyword(&mut self, word: &str) -> bool {
        let found = self.bytes[self.at..].starts_with(word.as_bytes());
        if found {
            self.at += word.len();
            self.skip();
        }
        found
    }

    /// Consumes the punctuator `byte` and skips what follows; `None` if it is not here.
    fn punct(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then(|| self.skip())
    }

    /// Consumes `byte` if it is next, skipping nothing: for atomic rules.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == byte;
        self.at += usize::from(found);
        found
    }

    /// Consumes `ASCII_DIGIT*`.
    fn digits(&mut self) {
        while self.peek().is_ascii_digit() {
            self.at += 1;
        }
    }

    /// The next byte, or 0 at the end. NUL can only appear inside strings and comments, which are
    /// not read through this, so it never stands for a real token.
    fn peek(&self) -> u8 {
        self.peek_at(0)
    }

    /// The byte `ahead` bytes after the next one, or 0 past the end.
    fn peek_at(&self, ahead: usize) -> u8 {
        self.bytes.get(self.at + ahead).copied().unwrap_or(0)
    }

    /// Pest's implicit `(WHITESPACE | COMMENT)*`. A comment runs to the next `\r` or `\n`.
    fn skip(&mut self) {
        loop {
            // Most of what is skipped is single-byte whitespace: take a run of it at once.
            let rest = &self.bytes[self.at..];
            let run = rest.iter().position(|&b| CLASS[usize::from(b)] & BLANK == 0).unwrap_or(rest.len());
            self.at += run;
            let rest = &rest[run..];
            if let Some(len) = whitespace_len(rest) {
                self.at += len;
            } else if rest.first() == Some(&b'#') {
                self.at += rest.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(rest.len());
            } else {
                return;
            }
        }
    }

    /// The position of the cursor, computed as async-graphql's `PositionCalculator` does: columns
    /// count characters, not bytes (a BOM or `é` is one column, a tab too); `\n` starts a new line;
    /// and `\r` only resets the column, so with old-Mac `\r` line endings every token is on line 1.
    /// The count picks up where the previous call left it, and calls only move forwards.
    fn pos(&mut self) -> Pos {
        for &byte in &self.bytes[self.counted..self.at] {
            match byte {
                b'\n' => {
                    self.line += 1;
                    self.column = 1;
                }
                b'\r' => self.column = 1,
                // Every character has one byte that is not a UTF-8 continuation byte (0x80-0xBF).
                _ => self.column += usize::from(!(0x80..0xC0).contains(&byte)),
            }
        }
        self.counted = self.at;
        Pos { line: self.line, column: self.column }
    }
}

/// Records an operation the way async-graphql does: one anonymous operation alone, or any number
/// of named ones with distinct names. `None` for any other combination.
fn add_operation(
    operations: &mut Option<DocumentOperations>,
    name: Option<Name>,
    operation: Positioned<OperationDefinition>,
) -> Option<()> {
    let Some(name) = name else {
        if operations.is_some() {
            return None;
        }
        *operations = Some(DocumentOperations::Single(operation));
        return Some(());
    };
    match operations.get_or_insert_with(|| DocumentOperations::Multiple(HashMap::new())) {
        DocumentOperations::Multiple(named) => match named.entry(name) {
            Entry::Vacant(entry) => {
                entry.insert(operation);
                Some(())
            }
            Entry::Occupied(_) => None,
        },
        DocumentOperations::Single(_) => None,
    }
}

/// The length of the `WHITESPACE` token (space, tab, comma, BOM, `\r` or `\n`) that `rest`
/// starts with, if it starts with one. `\r\n` is matched as two tokens; no difference here.
fn whitespace_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b' ' | b',' | b'\t' | b'\r' | b'\n', ..] => Some(1),
        // U+FEFF in UTF-8.
        [0xEF, 0xBB, 0xBF, ..] => Some(3),
        _ => None,
    }
}

/// Flag of `CLASS` for the bytes that may continue a name: letters, digits and `_`.
const NAME: u8 = 1;
/// Flag of `CLASS` for the single-byte whitespace: space, tab, comma, `\r` and `\n`.
const BLANK: u8 = 2;

/// Byte classes, so that the hottest loops (names, whitespace) test one table entry per byte.
const CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut byte = 0_u8;
    loop {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            class[byte as usize] = NAME;
        } else if matches!(byte, b' ' | b',' | b'\t' | b'\r' | b'\n') {
            class[byte as usize] = BLANK;
        }
        if byte == u8::MAX {
            break class;
        }
        byte += 1;
    }
};

/// `name_start`: a letter or underscore.
const fn is_name_start(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphabetic()
}

/// The value of a quoted string's content, already checked to hold only valid escapes.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = match chars.next() {
            Some('b') => '\x08',
            Some('f') => '\x0C',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let hex = chars.as_str().get(..4).unwrap_or_default();
                chars = chars.as_str().get(4..).unwrap_or_default().chars();
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            // `"`, `\` and `/` stand for themselves.
            other => other.unwrap_or('\\'),
        };
        out.push(escaped);
    }
    out
}

/// The value of a block string, as async-graphql's `block_string_value` computes it: the common
/// indentation of all lines but the first is removed, leading and trailing blank lines are dropped,
/// and line terminators (`\r\n`, `\r` or `\n`) become `\n`. Escapes are not interpreted.
fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw.split("\r\n").flat_map(|line| line.split(['\r', '\n'])).collect();
    let is_blank = |line: &str| line.bytes().all(|b| b == b' ' || b == b'\t');
    let indent = lines.iter().skip(1).filter_map(|line| line.find(|c| c != ' ' && c != '\t')).min().unwrap_or(0);
    let first = lines.iter().position(|line| !is_blank(line)).unwrap_or(lines.len());
    let end = lines.iter().rposition(|line| !is_blank(line)).map_or(0, |last| last + 1);
    let mut out = String::with_capacity(raw.len());
    for (i, line) in lines.iter().enumerate().take(end).skip(first) {
        if i > first {
            out.push('\n');
        }
        // The first line keeps its indentation; so does a blank line shorter than the indent.
        // The indent is made of spaces and tabs only, so the slice falls on a character boundary.
        out.push_str(if i != 0 && line.len() >= indent { &line[indent..] } else { line });
    }
    out
}
