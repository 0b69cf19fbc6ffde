package io.beckon.engine.event;

import java.util.Map;

/** Dotted-name lookup into nested maps of the value model. */
public final class Paths {
  private Paths() {}

  /** Reads {@code a.b.c} from nested maps; an exact key match wins over walking. */
  public static Object lookup(Map<String, Object> root, String dottedName) {
    if (root == null) {
      return null;
    }
    if (root.containsKey(dottedName)) {
      return root.get(dottedName);
    }
    Object current = root;
    for (String segment : dottedName.split("\\.", -1)) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(segment);
    }
    return current;
  }
}
