package io.beckon.tools;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} options of a subcommand; unknown names are errors. */
public final class Options {
  private final Map<String, String> values = new LinkedHashMap<>();

  private Options() {}

  /**
   * Parses {@code args}; {@code withValue} and {@code flags} list the accepted names (without
   * dashes). Throws {@link IllegalArgumentException} with a readable message.
   */
  public static Options parse(String[] args, Set<String> withValue, Set<String> flags) {
    Options options = new Options();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      if (flags.contains(name)) {
        options.values.put(name, "true");
      } else if (withValue.contains(name)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        options.values.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    return options;
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  public String require(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  /**
   * The {@code --workdir} option, or a folder of this process under {@code home}/.beckon named
   * {@code prefix-<pid>}.
   */
  public java.nio.file.Path workdir(java.nio.file.Path home, String prefix) {
    return java.nio.file.Path.of(
        get(
            "workdir",
            home.resolve(".beckon")
                .resolve(prefix + "-" + ProcessHandle.current().pid())
                .toString()));
  }

  public boolean flag(String name) {
    return values.containsKey(name);
  }
}
