package io.beckon.engine.template;

import java.util.List;

/** The parsed, immutable form of a template. Package-private. */
final class Ast {

  private Ast() {}

  /** A piece of template output. */
  sealed interface Node permits Text, Output, If {}

  /** Verbatim text (already trimmed by whitespace control). */
  record Text(String text) implements Node {}

  /** {@code {{ expr }}}; {@code expr} is null for an empty {@code {{ }}}. */
  record Output(Expr expr) implements Node {}

  /** {@code if}/{@code unless} with its {@code elsif} branches and optional {@code else} body. */
  record If(List<Branch> branches, List<Node> elseBody) implements Node {}

  /** One guarded body; {@code negate} is set for the first branch of an {@code unless}. */
  record Branch(Cond cond, boolean negate, List<Node> body) {}

  /** A condition of an {@code if}, {@code elsif} or {@code unless}. */
  sealed interface Cond permits Truthy, Compare, Logical {}

  /** A bare expression, true unless it is null or false. */
  record Truthy(Expr expr) implements Cond {}

  /** {@code left op right} with op one of == != <> > < >= <= contains. */
  record Compare(String op, Expr left, Expr right) implements Cond {}

  /** {@code left and right} / {@code left or right}; right holds everything to the right. */
  record Logical(boolean and, Cond left, Cond right) implements Cond {}

  /** A value followed by filters. */
  record Expr(Operand head, List<FilterCall> filters) {}

  /** A filter application; arguments are literals or variable paths. */
  record FilterCall(Filters.Def def, List<Operand> args) {}

  /** A literal or a variable path. */
  sealed interface Operand permits Literal, Path {}

  /** A literal value: String, Long, Double, Boolean or null. */
  record Literal(Object value) implements Operand {}

  /**
   * A variable path. {@code prefixes.get(k)} is the path made of the first {@code k + 1} segments,
   * so the last entry is {@code path} itself.
   */
  record Path(String path, List<String> segments, List<String> prefixes) implements Operand {}
}
