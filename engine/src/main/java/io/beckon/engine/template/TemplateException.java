package io.beckon.engine.template;

/**
 * A template could not be parsed. {@link #getMessage()} is a human sentence without position, for
 * example {@code "unknown filter 'upcasee'"}; {@link #line()} and {@link #column()} give the
 * 1-based position of the offending token within the whole template source (columns count Unicode
 * code points).
 */
public final class TemplateException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  public TemplateException(String message, int line, int column) {
    super(message);
    this.line = line;
    this.column = column;
  }

  /** 1-based line of the offending token. */
  public int line() {
    return line;
  }

  /** 1-based column (in code points) of the offending token. */
  public int column() {
    return column;
  }

  @Override
  public String toString() {
    return getClass().getName()
        + ": "
        + getMessage()
        + " (line "
        + line
        + ", column "
        + column
        + ")";
  }
}
