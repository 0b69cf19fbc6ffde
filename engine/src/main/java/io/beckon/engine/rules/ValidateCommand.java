package io.beckon.engine.rules;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code beckon rules validate DIR}, also the main class of the self-contained validator jar that
 * marketers' CI runs with only a JDK. Prints every problem as {@code file:line:column: severity:
 * message}, then the longest lifetime of each journey whose own grammar holds; exit status 1 when
 * there is any error, 2 on bad usage.
 */
public final class ValidateCommand {
  private ValidateCommand() {}

  public static void main(String[] args) {
    // Libraries on the classpath log through SLF4J; the validator's output is its own.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.exit(run(args));
  }

  public static int run(String[] args) {
    if (args.length != 1 || !Files.isDirectory(Path.of(args[0]))) {
      System.err.println(
          "usage: rules validate DIR   (DIR: a folder of rule *.yaml files and an optional policies.yaml)");
      return 2;
    }
    Path dir = Path.of(args[0]);
    RulesValidator.Report report = RulesValidator.checkFolder(dir);
    List<Problem> problems = report.problems();
    problems.forEach(
        p ->
            System.out.println(
                dir.resolve(p.file()).normalize() + p.toString().substring(p.file().length())));
    report.journeys().forEach(System.out::println);
    long errors = problems.stream().filter(Problem::isError).count();
    long warnings = problems.size() - errors;
    long files;
    try (var list = Files.list(dir)) {
      files = list.filter(f -> f.toString().endsWith(".yaml")).count();
    } catch (java.io.IOException e) {
      files = 0;
    }
    System.out.printf("%d file(s) checked: %d error(s), %d warning(s)%n", files, errors, warnings);
    return errors > 0 ? 1 : 0;
  }
}
