package io.beckon.engine.rules;

import java.util.ArrayList;
import java.util.List;

/** The problems found in one file while it is bound: errors and warnings at their positions. */
final class Problems {
  private final String file;
  private final List<Problem> found = new ArrayList<>();
  private int errors;

  Problems(String file) {
    this.file = file;
  }

  /**
   * A value the grammar does not allow. The message starts with the value's path ({@code
   * trigger.delay: ...}), so it reads the same wherever the file is shown.
   */
  void invalid(YamlNode at, String message) {
    error(at, named(at, message));
  }

  /** A key the grammar does not allow in {@code map}, at the key, named by the map's path. */
  void invalidKey(YamlNode map, String key, String message) {
    error(map.key(key), named(map, message));
  }

  /** An error whose message names what it is about itself. */
  void error(YamlNode at, String message) {
    error(at.line(), at.column(), message);
  }

  /** The document of a file's text; null (reported) when it is no YAML or too large. */
  YamlNode parse(String text) {
    try {
      return YamlNode.parse(text);
    } catch (RuleException e) {
      error(e);
      return null;
    }
  }

  void error(RuleException e) {
    error(e.line(), e.column(), e.problem());
  }

  void error(int line, int column, String message) {
    found.add(new Problem(file, line, column, Problem.Severity.ERROR, message));
    errors++;
  }

  void warning(YamlNode at, String message) {
    found.add(Problem.warning(file, at, message));
  }

  boolean hasErrors() {
    return errors > 0;
  }

  /** Everything found, in file order. */
  List<Problem> sorted() {
    List<Problem> out = new ArrayList<>(found);
    out.sort(Problem.ORDER);
    return List.copyOf(out);
  }

  /**
   * The first error of a file's problems, for callers that want a value or an exception; null when
   * there is none.
   */
  static RuleException firstError(List<Problem> problems) {
    for (Problem p : problems) {
      if (p.isError()) {
        return new RuleException(p.line(), p.column(), p.message());
      }
    }
    return null;
  }

  private static String named(YamlNode node, String message) {
    return node.path().isEmpty() ? message : node.path() + ": " + message;
  }
}
