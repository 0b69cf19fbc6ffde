package io.beckon.engine.rules;

import java.util.Comparator;

/** One finding of the rules validator, printed as {@code file:line:column: severity: message}. */
public record Problem(String file, int line, int column, Severity severity, String message) {

  public enum Severity {
    ERROR,
    WARNING
  }

  public static final Comparator<Problem> ORDER =
      Comparator.comparing(Problem::file)
          .thenComparingInt(Problem::line)
          .thenComparingInt(Problem::column)
          .thenComparing(Problem::message);

  static Problem error(String file, YamlNode at, String message) {
    return new Problem(file, at.line(), at.column(), Severity.ERROR, message);
  }

  static Problem warning(String file, YamlNode at, String message) {
    return new Problem(file, at.line(), at.column(), Severity.WARNING, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    return file
        + ":"
        + line
        + ":"
        + column
        + ": "
        + (isError() ? "error" : "warning")
        + ": "
        + message;
  }
}
