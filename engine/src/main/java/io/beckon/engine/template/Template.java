package io.beckon.engine.template;

import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed Liquid message template.
 *
 * <p>Supported: {@code {{ expr }}} output; {@code {% if %}}/{@code {% elsif %}}/{@code {% else %}}/
 * {@code {% endif %}}; {@code {% unless %}}/{@code {% else %}}/{@code {% endunless %}}; whitespace
 * control with {@code {{-}, {@code -}}}, {@code {%-}, {@code -%}}. Expressions are a literal or a
 * variable path followed by filters; conditions compare two expressions with {@code == != <> > < >=
 * <= contains} or test one for truthiness, and combine with {@code and}/ {@code or} grouped right
 * to left as in Liquid.
 *
 * <p>{@link #parse(String)} validates the whole template, so {@link #render(VariableResolver)}
 * never fails for missing or ill-typed data: such values render as the empty string. Instances are
 * immutable and thread-safe; they serialize as their source and are parsed again on reading.
 */
public final class Template implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * The most characters any value takes while rendering (a filter's result, a variable's text) and
   * the most a rendering returns: 65,536. Filters that can multiply a length ({@code replace},
   * {@code join}) stop there, so no template and no data can make a rendering run long or fill the
   * heap. Callers ask for less with {@link #render(VariableResolver, int)}.
   */
  public static final int MAX_VALUE_CHARS = 65_536;

  /** Ends a rendering clipped by {@link #render(VariableResolver, int)}. */
  public static final String CLIPPED = "\u2026";

  private final String source;
  private final transient List<Ast.Node> nodes;
  private final transient Set<String> variables;

  private Template(String source, List<Ast.Node> nodes, Set<String> variables) {
    this.source = source;
    this.nodes = nodes;
    this.variables = variables;
  }

  /**
   * Parses and fully validates {@code source}: syntax, known filters, filter argument counts and
   * balanced tags.
   *
   * @throws TemplateException with the 1-based line and column of the offending token
   */
  public static Template parse(String source) throws TemplateException {
    Objects.requireNonNull(source, "source");
    Parser.Result result = new Parser(source).parse();
    return new Template(source, result.nodes(), result.variables());
  }

  /** Renders the template, looking variables up in {@code vars}. Missing values render as "". */
  public String render(VariableResolver vars) {
    return render(vars, MAX_VALUE_CHARS);
  }

  /**
   * Renders at most {@code maxChars} characters (code points): a longer rendering is clipped and
   * ends in "…" ({@link #CLIPPED}), within {@code maxChars}. Rendering stops as soon as the output
   * is past the limit.
   */
  public String render(VariableResolver vars, int maxChars) {
    Objects.requireNonNull(vars, "vars");
    int limit = Math.max(1, Math.min(maxChars, MAX_VALUE_CHARS));
    StringBuilder out = new StringBuilder(Math.min(source.length(), limit) + 32);
    new Renderer(vars, out, limit).render(nodes);
    String text = Values.clip(out, limit + 1);
    if (text.codePointCount(0, text.length()) <= limit) {
      return text;
    }
    return Values.clip(text, limit - 1) + CLIPPED;
  }

  /** Every variable path the template references, sorted; literals are not included. */
  public Set<String> variables() {
    return variables;
  }

  /** The text this template was parsed from. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Template[" + source + "]";
  }

  private Object readResolve() throws ObjectStreamException {
    try {
      return parse(source);
    } catch (TemplateException | RuntimeException e) {
      InvalidObjectException failure =
          new InvalidObjectException("invalid template source: " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }

  /** Evaluates the nodes of one render call. */
  private static final class Renderer {

    private final VariableResolver vars;
    private final StringBuilder out;
    private final int limit;

    Renderer(VariableResolver vars, StringBuilder out, int limit) {
      this.vars = vars;
      this.out = out;
      this.limit = limit;
    }

    void render(List<Ast.Node> nodes) {
      for (Ast.Node node : nodes) {
        if (out.length() > 2 * (limit + 1)) {
          // Past the limit even if every character were a surrogate pair: clipped anyway, the
          // rest would cost time and memory for nothing.
          return;
        }
        if (node instanceof Ast.Text t) {
          out.append(t.text());
        } else if (node instanceof Ast.Output o) {
          if (o.expr() != null) {
            out.append(Values.render(eval(o.expr())));
          }
        } else if (node instanceof Ast.If i) {
          renderIf(i);
        }
      }
    }

    private void renderIf(Ast.If node) {
      for (Ast.Branch b : node.branches()) {
        if (test(b.cond()) != b.negate()) {
          render(b.body());
          return;
        }
      }
      render(node.elseBody());
    }

    private boolean test(Ast.Cond cond) {
      if (cond instanceof Ast.Truthy t) {
        return Values.truthy(eval(t.expr()));
      }
      if (cond instanceof Ast.Logical l) {
        return l.and() ? test(l.left()) && test(l.right()) : test(l.left()) || test(l.right());
      }
      Ast.Compare c = (Ast.Compare) cond;
      Object left = eval(c.left());
      Object right = eval(c.right());
      switch (c.op()) {
        case "==":
          return Values.equal(left, right);
        case "!=":
        case "<>":
          return !Values.equal(left, right);
        case "contains":
          return Values.contains(left, right);
        default:
          Integer cmp = Values.compare(left, right);
          if (cmp == null) {
            return false;
          }
          switch (c.op()) {
            case "<":
              return cmp < 0;
            case ">":
              return cmp > 0;
            case "<=":
              return cmp <= 0;
            case ">=":
              return cmp >= 0;
            default:
              return false;
          }
      }
    }

    private Object eval(Ast.Expr expr) {
      Object value = operand(expr.head());
      for (Ast.FilterCall f : expr.filters()) {
        List<Object> args = new ArrayList<>(f.args().size());
        for (Ast.Operand a : f.args()) {
          args.add(operand(a));
        }
        value = f.def().fn().apply(value, args);
        if (value instanceof String text && text.length() > MAX_VALUE_CHARS) {
          value = Values.clip(text, MAX_VALUE_CHARS); // appends chained on a long value
        }
      }
      return value;
    }

    private Object operand(Ast.Operand op) {
      if (op instanceof Ast.Literal l) {
        return l.value();
      }
      return resolve((Ast.Path) op);
    }

    /**
     * Resolves the full dotted path first; if that is missing, resolves ever shorter prefixes and
     * walks the remaining segments into maps (and size/first/last of lists and strings).
     */
    private Object resolve(Ast.Path path) {
      Object value = vars.resolve(path.path());
      if (value != null) {
        return value;
      }
      List<String> segments = path.segments();
      for (int k = segments.size() - 2; k >= 0; k--) {
        Object base = vars.resolve(path.prefixes().get(k));
        if (base == null) {
          continue;
        }
        Object walked = walk(base, segments.subList(k + 1, segments.size()));
        if (walked != null) {
          return walked;
        }
      }
      return null;
    }

    private static Object walk(Object value, List<String> segments) {
      Object current = value;
      for (String segment : segments) {
        if (current instanceof Map<?, ?> m) {
          Object child = m.get(segment);
          current =
              child == null && segment.equals("size") && !m.containsKey(segment)
                  ? (Object) (long) m.size()
                  : child;
        } else if (current instanceof List<?> l) {
          current =
              switch (segment) {
                case "size" -> (long) l.size();
                case "first" -> l.isEmpty() ? null : l.get(0);
                case "last" -> l.isEmpty() ? null : l.get(l.size() - 1);
                default -> null;
              };
        } else if (current instanceof Collection<?> c && segment.equals("size")) {
          current = (long) c.size();
        } else if (current instanceof String s && segment.equals("size")) {
          current = (long) s.codePointCount(0, s.length());
        } else {
          return null;
        }
        if (current == null) {
          return null;
        }
      }
      return current;
    }
  }
}
