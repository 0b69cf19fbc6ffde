package io.beckon.engine.rules;

/** A problem in a rule file at a line and column (1-based); the file is added by the loader. */
public class RuleException extends RuntimeException {
  private final int line;
  private final int column;
  private final String problem;

  public RuleException(int line, int column, String problem) {
    super(line + ":" + column + ": " + problem);
    this.line = line;
    this.column = column;
    this.problem = problem;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String problem() {
    return problem;
  }
}
