package io.beckon.bench;

import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The example rules repository ({@code rules/} at the project root), which the build copies into
 * this module's jar so the benchmarks run from any folder.
 */
final class ExampleRules {
  static final String CART = "cart-abandonment-2h";

  private ExampleRules() {}

  /** Every example rule. */
  static RuleSet all() {
    return RuleSet.parse(files());
  }

  /** The example rule {@code id} alone. */
  static RuleSet only(String id) {
    Rule rule = all().get(id);
    if (rule == null) {
      throw new IllegalArgumentException("no example rule '" + id + "'");
    }
    return new RuleSet(List.of(rule));
  }

  /** The example rule files (file name to text), read with {@link RuleSet#readFolder}. */
  static synchronized Map<String, String> files() {
    // The cart rule anchors the folder: a jar need not hold an entry for the folder itself.
    URL anchor = ExampleRules.class.getResource("/rules/" + CART + ".yaml");
    if (anchor == null) {
      throw new IllegalStateException("the example rules are not on the class path");
    }
    try {
      URI uri = anchor.toURI();
      if (uri.getScheme().equals("jar")) {
        try {
          FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException e) {
          FileSystems.newFileSystem(uri, Map.of());
        }
      }
      return RuleSet.readFolder(Path.of(uri).getParent());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
