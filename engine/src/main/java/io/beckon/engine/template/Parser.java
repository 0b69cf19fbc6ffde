package io.beckon.engine.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns template source into {@link Ast} nodes, validating everything up front. All positions are
 * absolute offsets into the source until they are turned into line/column for an error.
 * Package-private; one instance parses one template.
 */
final class Parser {

  /** The parsed nodes and the variable paths they reference. */
  record Result(List<Ast.Node> nodes, Set<String> variables) {}

  private enum Kind {
    TEXT,
    OUTPUT,
    TAG
  }

  /** One chunk of source: text, or the inside of a {{ }} / {% %} with its trim markers. */
  private record Chunk(
      Kind kind, String text, int start, int contentStart, boolean trimLeft, boolean trimRight) {}

  /** The leading word of a {% %} tag and where the rest of the tag begins. */
  private record TagHead(String name, int nameOffset, int restStart, int restEnd) {}

  private final String src;
  private final int[] lineStarts;
  private final Set<String> variables = new TreeSet<>();
  private List<Chunk> chunks;
  private int next;

  Parser(String src) {
    this.src = src;
    this.lineStarts = lineStarts(src);
  }

  Result parse() throws TemplateException {
    chunks = split();
    next = 0;
    List<Ast.Node> nodes = new ArrayList<>();
    Chunk stop = parseUntilBlockTag(nodes);
    if (stop != null) {
      TagHead head = head(stop);
      throw error("unexpected {% " + head.name() + " %}", head.nameOffset());
    }
    return new Result(
        List.copyOf(nodes), Collections.unmodifiableSortedSet(new TreeSet<>(variables)));
  }

  // ------------------------------------------------------------------ positions

  private static int[] lineStarts(String s) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'))) {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  TemplateException error(String message, int offset) {
    int idx = Arrays.binarySearch(lineStarts, offset);
    int line = idx >= 0 ? idx : -idx - 2;
    int column = src.codePointCount(lineStarts[line], Math.min(offset, src.length())) + 1;
    return new TemplateException(message, line + 1, column);
  }

  // ------------------------------------------------------------------ splitting into chunks

  private int findOpen(int from) {
    int i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length()) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%') {
        return i;
      }
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  private List<Chunk> split() throws TemplateException {
    List<Chunk> raw = new ArrayList<>();
    int pos = 0;
    int n = src.length();
    while (pos < n) {
      int open = findOpen(pos);
      if (open < 0) {
        raw.add(new Chunk(Kind.TEXT, src.substring(pos), pos, pos, false, false));
        break;
      }
      if (open > pos) {
        raw.add(new Chunk(Kind.TEXT, src.substring(pos, open), pos, pos, false, false));
      }
      boolean output = src.charAt(open + 1) == '{';
      int contentStart = open + 2;
      boolean trimLeft = contentStart < n && src.charAt(contentStart) == '-';
      if (trimLeft) {
        contentStart++;
      }
      int close = findClose(open, contentStart, output);
      int contentEnd = close;
      boolean trimRight = contentEnd > contentStart && src.charAt(contentEnd - 1) == '-';
      if (trimRight) {
        contentEnd--;
      }
      raw.add(
          new Chunk(
              output ? Kind.OUTPUT : Kind.TAG,
              src.substring(contentStart, contentEnd),
              open,
              contentStart,
              trimLeft,
              trimRight));
      pos = close + 2;
    }
    // Whitespace control: strip text next to a trimming delimiter; drop empty text.
    List<Chunk> result = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      Chunk c = raw.get(i);
      if (c.kind() != Kind.TEXT) {
        result.add(c);
        continue;
      }
      String text = c.text();
      if (i > 0 && raw.get(i - 1).trimRight()) {
        text = stripLeading(text);
      }
      if (i + 1 < raw.size() && raw.get(i + 1).trimLeft()) {
        text = stripTrailing(text);
      }
      if (!text.isEmpty()) {
        result.add(new Chunk(Kind.TEXT, text, c.start(), c.contentStart(), false, false));
      }
    }
    return result;
  }

  private static String stripLeading(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return s.substring(i);
  }

  private static String stripTrailing(String s) {
    int i = s.length();
    while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
      i--;
    }
    return s.substring(0, i);
  }

  /**
   * Finds the closing delimiter of the tag opened at {@code open}. Quoted strings may contain the
   * delimiter. If quotes do not balance, falls back to the first plain closing delimiter so the
   * lexer can report the unterminated string. A new opening delimiter before the close means the
   * tag was never closed.
   */
  private int findClose(int open, int from, boolean output) throws TemplateException {
    String close = output ? "}}" : "%}";
    char quote = 0;
    for (int i = from; i < src.length(); i++) {
      char c = src.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (src.startsWith(close, i)) {
        return i;
      } else if (src.startsWith("{{", i) || src.startsWith("{%", i)) {
        break;
      }
    }
    if (quote != 0) {
      int plain = src.indexOf(close, from);
      int nextOpen = findOpen(from);
      if (plain >= 0 && (nextOpen < 0 || nextOpen > plain)) {
        return plain;
      }
    }
    throw error(output ? "'{{' without matching '}}'" : "'{%' without matching '%}'", open);
  }

  // ------------------------------------------------------------------ block structure

  /**
   * Appends nodes until a block-continuing or block-closing tag (elsif, else, endif, endunless) or
   * the end. Returns that tag's chunk, or null at the end of the template.
   */
  private Chunk parseUntilBlockTag(List<Ast.Node> out) throws TemplateException {
    while (next < chunks.size()) {
      Chunk c = chunks.get(next++);
      switch (c.kind()) {
        case TEXT -> out.add(new Ast.Text(c.text()));
        case OUTPUT -> out.add(new Ast.Output(parseOutput(c)));
        case TAG -> {
          TagHead head = head(c);
          switch (head.name()) {
            case "if", "unless" -> out.add(parseIf(head));
            case "elsif", "else", "endif", "endunless" -> {
              return c;
            }
            default -> throw error("unknown tag '" + head.name() + "'", head.nameOffset());
          }
        }
        default -> throw new IllegalStateException();
      }
    }
    return null;
  }

  private Ast.If parseIf(TagHead open) throws TemplateException {
    boolean unless = open.name().equals("unless");
    String end = unless ? "endunless" : "endif";
    List<Ast.Branch> branches = new ArrayList<>();
    Ast.Cond cond = parseCondition(open);
    boolean negate = unless;
    List<Ast.Node> body = new ArrayList<>();
    boolean inElse = false;
    while (true) {
      Chunk stop = parseUntilBlockTag(body);
      if (stop == null) {
        throw error("unclosed {% " + open.name() + " %}", open.nameOffset());
      }
      TagHead head = head(stop);
      String name = head.name();
      if (name.equals("elsif") && !inElse) {
        branches.add(new Ast.Branch(cond, negate, List.copyOf(body)));
        cond = parseCondition(head);
        negate = false;
        body = new ArrayList<>();
      } else if (name.equals("else") && !inElse) {
        expectNothingAfter(head);
        branches.add(new Ast.Branch(cond, negate, List.copyOf(body)));
        inElse = true;
        body = new ArrayList<>();
      } else if (name.equals(end)) {
        expectNothingAfter(head);
        if (inElse) {
          return new Ast.If(List.copyOf(branches), List.copyOf(body));
        }
        branches.add(new Ast.Branch(cond, negate, List.copyOf(body)));
        return new Ast.If(List.copyOf(branches), List.of());
      } else {
        throw error("unexpected {% " + name + " %}", head.nameOffset());
      }
    }
  }

  private TagHead head(Chunk c) throws TemplateException {
    String text = c.text();
    int i = 0;
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      throw error("empty {% %} tag", c.start());
    }
    int nameStart = i;
    while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    String name = text.substring(nameStart, i);
    int base = c.contentStart();
    return new TagHead(name, base + nameStart, base + i, base + text.length());
  }

  private void expectNothingAfter(TagHead head) throws TemplateException {
    for (int i = head.restStart(); i < head.restEnd(); i++) {
      if (!Character.isWhitespace(src.charAt(i))) {
        throw error(
            "unexpected '"
                + src.substring(i, head.restEnd()).strip()
                + "' after {% "
                + head.name()
                + " %}",
            i);
      }
    }
  }

  // ------------------------------------------------------------------ expressions

  private Ast.Expr parseOutput(Chunk c) throws TemplateException {
    ExprParser p = new ExprParser(c.contentStart(), c.contentStart() + c.text().length(), false);
    if (p.peek().type == TokenType.END) {
      return null;
    }
    Ast.Expr e = p.expr();
    p.expectEnd();
    return e;
  }

  private Ast.Cond parseCondition(TagHead head) throws TemplateException {
    ExprParser p = new ExprParser(head.restStart(), head.restEnd(), true);
    if (p.peek().type == TokenType.END) {
      throw error("missing condition in {% " + head.name() + " %}", head.nameOffset());
    }
    Ast.Cond cond = p.condition();
    p.expectEnd();
    return cond;
  }

  private enum TokenType {
    PATH,
    STRING,
    NUMBER,
    OP,
    PIPE,
    COLON,
    COMMA,
    END
  }

  private record Token(TokenType type, String text, Object value, int offset) {}

  /** Lexes and parses the inside of one tag, from {@code start} to {@code end} in the source. */
  private final class ExprParser {

    private final List<Token> tokens;
    private final boolean condition;
    private int pos;

    ExprParser(int start, int end, boolean condition) throws TemplateException {
      this.tokens = lex(start, end);
      this.condition = condition;
    }

    Token peek() {
      return tokens.get(pos);
    }

    void expectEnd() throws TemplateException {
      Token t = peek();
      if (t.type != TokenType.END) {
        throw error("unexpected '" + t.text + "'", t.offset);
      }
    }

    /** cond := comparison (('and' | 'or') cond)? — grouped right to left, as Liquid does. */
    Ast.Cond condition() throws TemplateException {
      Ast.Cond left = comparison();
      Token t = peek();
      if (t.type == TokenType.PATH && (t.text.equals("and") || t.text.equals("or"))) {
        pos++;
        if (peek().type == TokenType.END) {
          throw error("missing condition after '" + t.text + "'", t.offset);
        }
        return new Ast.Logical(t.text.equals("and"), left, condition());
      }
      return left;
    }

    private Ast.Cond comparison() throws TemplateException {
      Ast.Expr left = expr();
      Token t = peek();
      if (t.type == TokenType.OP || (t.type == TokenType.PATH && t.text.equals("contains"))) {
        pos++;
        return new Ast.Compare(t.text, left, expr());
      }
      return new Ast.Truthy(left);
    }

    /** expr := operand ('|' name (':' operand (',' operand)*)?)* */
    Ast.Expr expr() throws TemplateException {
      Ast.Operand head = operand("expected a value");
      List<Ast.FilterCall> filters = new ArrayList<>();
      while (peek().type == TokenType.PIPE) {
        Token pipe = tokens.get(pos++);
        Token name = peek();
        if (name.type != TokenType.PATH) {
          throw error(
              "expected a filter name after '|'",
              name.type == TokenType.END ? pipe.offset : name.offset);
        }
        pos++;
        Filters.Def def = Filters.lookup(name.text);
        if (def == null) {
          throw error("unknown filter '" + name.text + "'", name.offset);
        }
        List<Ast.Operand> args = new ArrayList<>();
        if (peek().type == TokenType.COLON) {
          pos++;
          args.add(operand("expected an argument for filter '" + def.name() + "'"));
          while (peek().type == TokenType.COMMA) {
            pos++;
            args.add(operand("expected an argument for filter '" + def.name() + "'"));
          }
        }
        if (args.size() > def.maxArgs()) {
          throw error(
              def.maxArgs() == 0
                  ? "filter '" + def.name() + "' takes no arguments"
                  : "filter '" + def.name() + "' takes at most " + plural(def.maxArgs()),
              name.offset);
        }
        if (args.size() < def.minArgs()) {
          throw error(
              "filter '" + def.name() + "' takes at least " + plural(def.minArgs()), name.offset);
        }
        filters.add(new Ast.FilterCall(def, List.copyOf(args)));
      }
      return new Ast.Expr(head, List.copyOf(filters));
    }

    private static String plural(int n) {
      return n + (n == 1 ? " argument" : " arguments");
    }

    private Ast.Operand operand(String expected) throws TemplateException {
      Token t = peek();
      switch (t.type) {
        case STRING, NUMBER -> {
          pos++;
          return new Ast.Literal(t.value);
        }
        case PATH -> {
          switch (t.text) {
            case "true" -> {
              pos++;
              return new Ast.Literal(Boolean.TRUE);
            }
            case "false" -> {
              pos++;
              return new Ast.Literal(Boolean.FALSE);
            }
            case "nil", "null" -> {
              pos++;
              return new Ast.Literal(null);
            }
            case "and", "or", "contains" -> {
              if (condition) {
                throw error(expected + " but found '" + t.text + "'", t.offset);
              }
            }
            default -> {}
          }
          pos++;
          return path(t.text);
        }
        case END -> throw error(expected, t.offset);
        default -> throw error(expected + " but found '" + t.text + "'", t.offset);
      }
    }

    private Ast.Path path(String text) {
      List<String> segments = List.of(text.split("\\.", -1));
      List<String> prefixes = new ArrayList<>(segments.size());
      StringBuilder sb = new StringBuilder();
      for (String seg : segments) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(seg);
        prefixes.add(sb.toString());
      }
      variables.add(text);
      return new Ast.Path(text, segments, List.copyOf(prefixes));
    }

    private List<Token> lex(int start, int end) throws TemplateException {
      List<Token> out = new ArrayList<>();
      int i = start;
      while (i < end) {
        char c = src.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '\'' || c == '"') {
          int close = src.indexOf(c, i + 1);
          if (close < 0 || close >= end) {
            throw error("unterminated string literal", i);
          }
          out.add(
              new Token(
                  TokenType.STRING, src.substring(i, close + 1), src.substring(i + 1, close), i));
          i = close + 1;
        } else if (isDigit(c) || (c == '-' && i + 1 < end && isDigit(src.charAt(i + 1)))) {
          int j = i + 1;
          while (j < end && isDigit(src.charAt(j))) {
            j++;
          }
          boolean decimal = j + 1 < end && src.charAt(j) == '.' && isDigit(src.charAt(j + 1));
          if (decimal) {
            j += 2;
            while (j < end && isDigit(src.charAt(j))) {
              j++;
            }
          }
          String text = src.substring(i, j);
          Object value;
          try {
            value = decimal ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text);
          } catch (NumberFormatException e) {
            throw error("number out of range '" + text + "'", i);
          }
          out.add(new Token(TokenType.NUMBER, text, value, i));
          i = j;
        } else if (isIdentStart(c)) {
          int j = i;
          while (true) {
            j++;
            while (j < end && isIdentPart(src.charAt(j))) {
              j++;
            }
            if (j < end && src.charAt(j) == '.') {
              if (j + 1 < end && isIdentStart(src.charAt(j + 1))) {
                j++;
                continue;
              }
              throw error("invalid variable path '" + src.substring(i, j + 1) + "'", i);
            }
            break;
          }
          String text = src.substring(i, j);
          out.add(new Token(TokenType.PATH, text, null, i));
          i = j;
        } else if (c == '|') {
          out.add(new Token(TokenType.PIPE, "|", null, i++));
        } else if (c == ':') {
          out.add(new Token(TokenType.COLON, ":", null, i++));
        } else if (c == ',') {
          out.add(new Token(TokenType.COMMA, ",", null, i++));
        } else {
          String two = i + 1 < end ? src.substring(i, i + 2) : "";
          if (two.equals("==")
              || two.equals("!=")
              || two.equals("<>")
              || two.equals("<=")
              || two.equals(">=")) {
            out.add(new Token(TokenType.OP, two, null, i));
            i += 2;
          } else if (c == '<' || c == '>') {
            out.add(new Token(TokenType.OP, String.valueOf(c), null, i++));
          } else {
            int cp = src.codePointAt(i);
            throw error("unexpected character '" + new String(Character.toChars(cp)) + "'", i);
          }
        }
      }
      out.add(new Token(TokenType.END, "", null, end));
      return out;
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentPart(char c) {
      return isIdentStart(c) || isDigit(c);
    }
  }
}
