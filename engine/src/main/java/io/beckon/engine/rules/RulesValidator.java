package io.beckon.engine.rules;

import io.beckon.engine.journey.Lifetime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Validates a rules repository the way its CI should: every rule file bound by {@link RuleParser},
 * which reports all of a file's problems at once with their positions, and what spans files:
 * reading the folder, the file-size guard, rule ids unique across files, and {@code policies.yaml}.
 * A repository with no errors loads in the job.
 *
 * <p>Rule files are not run through the JSON Schema as well. The parser is the one grammar: the
 * job, replay and this validator all read rules through it, so they cannot disagree on what a rule
 * is. The schema ({@code rule.schema.json}) is published for editors, and {@code
 * SchemaAgreementTest} proves that it accepts and rejects the same files as the parser; running
 * both here would report most mistakes twice, in different words. The same holds for {@code
 * policies.yaml}, read by {@link PoliciesParser}, and {@code policies.schema.json}.
 */
public final class RulesValidator {
  public static final String POLICIES_FILE = "policies.yaml";

  private RulesValidator() {}

  /** The order of a report: by file, then by position. */
  public static final Comparator<Problem> ORDER =
      Comparator.comparing(Problem::file).thenComparing(Problem.ORDER);

  /**
   * What {@code rules validate} reports: every problem in {@link #ORDER}, and the longest lifetime
   * of each journey whose own grammar holds, by file.
   */
  public record Report(List<Problem> problems, List<Lifetime> journeys) {}

  /** Validates every {@code *.yaml} file of a folder; problems sorted by file and position. */
  public static List<Problem> validateFolder(Path dir) {
    return checkFolder(dir).problems();
  }

  /** {@link #validateFolder}, with the lifetimes of the folder's journeys. */
  public static Report checkFolder(Path dir) {
    Map<String, String> files = new TreeMap<>();
    List<Problem> tooBig = new ArrayList<>();
    try (Stream<Path> paths = Files.list(dir)) {
      for (Path p : paths.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString();
        if (!name.endsWith(".yaml")) {
          continue;
        }
        long size = Files.size(p);
        if (size > RuleLimits.FILE_BYTES) {
          // Not even read: a file of gigabytes must not exhaust the validator's memory.
          tooBig.add(problem(name, RuleLimits.fileSize(size)));
        } else {
          files.put(name, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rules folder " + dir, e);
    }
    Report report = check(files);
    List<Problem> problems = new ArrayList<>(report.problems());
    problems.addAll(tooBig);
    problems.sort(ORDER);
    return new Report(List.copyOf(problems), report.journeys());
  }

  /** Validates file name -> text; {@code policies.yaml} is checked as policies. */
  public static List<Problem> validate(Map<String, String> files) {
    return check(files).problems();
  }

  /** {@link #validate}, with the lifetimes of the journeys among the files. */
  public static Report check(Map<String, String> files) {
    List<Problem> problems = new ArrayList<>();
    List<Lifetime> journeys = new ArrayList<>();
    Policies.QuietHours quiet = quietHours(files.get(POLICIES_FILE));
    Map<String, String> fileOfId = new HashMap<>();
    new TreeMap<>(files)
        .forEach(
            (file, text) -> {
              if (file.equals(POLICIES_FILE)) {
                problems.addAll(validatePolicies(file, text));
                return;
              }
              RuleParser.Result read = readRule(file, text);
              List<Problem> own = read.problems();
              problems.addAll(own);
              if (read.journey() != null) {
                journeys.add(Lifetime.of(read.journey(), quiet));
              }
              YamlNode idNode = idOf(text);
              if (idNode != null && idNode.scalar() instanceof String id) {
                String earlier = fileOfId.putIfAbsent(id, file);
                if (earlier != null) {
                  problems.add(
                      Problem.error(
                          file, idNode, "rule id '" + id + "' is already used by " + earlier));
                }
              }
              problems.addAll(dateInsideQuietHours(file, text, read, quiet));
            });
    problems.sort(ORDER);
    return new Report(List.copyOf(problems), List.copyOf(journeys));
  }

  /** The quiet hours of a {@code policies.yaml} text; null when none or when it is invalid. */
  private static Policies.QuietHours quietHours(String policies) {
    if (policies == null) {
      return null;
    }
    try {
      return PoliciesParser.parse(policies).quietHours();
    } catch (RuleException e) {
      return null; // reported where it belongs
    }
  }

  /**
   * A date rule whose {@code at} lies inside the quiet hours of {@code policies.yaml} would always
   * be held until their end (contract section 8 asks for a warning): it spans both files.
   */
  private static List<Problem> dateInsideQuietHours(
      String file, String text, RuleParser.Result read, Policies.QuietHours quiet) {
    if (quiet == null) {
      return List.of();
    }
    // A journey's date trigger is held to quiet hours as a rule's is.
    Trigger trigger;
    Rule.Overrides policies;
    if (read.rule() != null) {
      trigger = read.rule().trigger();
      policies = read.rule().policies();
    } else if (read.journey() != null) {
      trigger = read.journey().trigger();
      policies = read.journey().policies();
    } else {
      return List.of(); // its problems are reported where they belong
    }
    if (policies.ignoreQuietHours()
        || !(trigger instanceof Trigger.OnDate date)
        || date.at() == null
        || !quiet.contains(date.at())) {
      return List.of();
    }
    YamlNode at = YamlNode.parse(text).get("trigger").get("at");
    return List.of(
        Problem.warning(
            file,
            at,
            "at "
                + date.at()
                + " lies inside the quiet hours of "
                + POLICIES_FILE
                + " ("
                + quiet.start()
                + " to "
                + quiet.end()
                + "): every occurrence will be held until "
                + quiet.end()));
  }

  private static YamlNode idOf(String text) {
    try {
      YamlNode root = YamlNode.parse(text);
      return root.isMap() ? root.get("id") : null;
    } catch (RuleException e) {
      return null;
    }
  }

  /**
   * One rule file, as {@link RuleParser#read} finds it. Never throws: a failure the parser did not
   * foresee is reported as a problem of the whole file.
   */
  public static List<Problem> validateRule(String file, String text) {
    return readRule(file, text).problems();
  }

  private static RuleParser.Result readRule(String file, String text) {
    try {
      return RuleParser.read(file, text);
    } catch (RuntimeException | StackOverflowError e) {
      return new RuleParser.Result(
          null,
          List.of(new Problem(file, 1, 1, Problem.Severity.ERROR, "cannot check this file: " + e)));
    }
  }

  private static Problem problem(String file, RuleException e) {
    return new Problem(file, e.line(), e.column(), Problem.Severity.ERROR, e.problem());
  }

  /** {@code policies.yaml}, as {@link PoliciesParser#read} finds it. */
  public static List<Problem> validatePolicies(String file, String text) {
    return PoliciesParser.read(file, text).problems();
  }
}
