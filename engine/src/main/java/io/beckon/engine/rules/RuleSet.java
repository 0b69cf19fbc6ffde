package io.beckon.engine.rules;

import io.beckon.engine.journey.Journey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The rules and journeys in force, in fire order. Built all-or-nothing from a rules folder: a
 * folder with any invalid file yields no rule set at all, so a rule is never half-applied.
 *
 * <p>A journey's trigger is armed, cancelled and re-scheduled exactly as a rule's: each journey is
 * also seen as its {@link Journey#entry() entry trigger}, a rule without a message under the
 * journey's id, whose fires are the journey's entry attempts. {@link #triggers()} lists both.
 */
public final class RuleSet {
  private final List<Rule> inFireOrder;
  private final Map<String, Rule> byId;
  private final Map<String, Journey> journeys;
  private final List<Rule> triggers;
  private final Map<String, Rule> triggerById;

  public RuleSet(List<Rule> rules) {
    this(rules, List.of());
  }

  public RuleSet(List<Rule> rules, List<Journey> journeys) {
    List<Rule> sorted = new ArrayList<>(rules);
    sorted.sort(Rule.FIRE_ORDER);
    this.inFireOrder = List.copyOf(sorted);
    this.byId = new HashMap<>();
    sorted.forEach(r -> byId.put(r.id(), r));
    this.journeys = new TreeMap<>();
    journeys.forEach(j -> this.journeys.put(j.id(), j));
    List<Rule> all = new ArrayList<>(sorted);
    journeys.forEach(j -> all.add(j.entry()));
    all.sort(Rule.FIRE_ORDER);
    this.triggers = List.copyOf(all);
    this.triggerById = new HashMap<>();
    all.forEach(r -> triggerById.put(r.id(), r));
  }

  /** Every rule (enabled or not), highest priority first, then by id. Journeys are not rules. */
  public List<Rule> rules() {
    return inFireOrder;
  }

  public Rule get(String id) {
    return byId.get(id);
  }

  /** Every journey (enabled or not), by id. */
  public List<Journey> journeys() {
    return List.copyOf(journeys.values());
  }

  public Journey journey(String id) {
    return journeys.get(id);
  }

  /** Rules and journeys' entry triggers, in fire order: what events arm. */
  public List<Rule> triggers() {
    return triggers;
  }

  /** A rule, or a journey's entry trigger, by id. */
  public Rule trigger(String id) {
    return triggerById.get(id);
  }

  /** Reads the rule files of a folder: file name -> text. {@code policies.yaml} is not a rule. */
  public static Map<String, String> readFolder(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.list(dir)) {
      for (Path p : paths.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".yaml") && !name.equals("policies.yaml") && Files.isRegularFile(p)) {
          files.put(name, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rules folder " + dir, e);
    }
    return files;
  }

  /**
   * A whole rules repository: its rule files and, when present, {@code policies.yaml} under that
   * name, as {@code beckon rules publish} and replay take it.
   */
  public static Map<String, String> readRepository(Path dir) {
    Map<String, String> files = readFolder(dir);
    Path policies = dir.resolve(RulesValidator.POLICIES_FILE);
    if (Files.isRegularFile(policies)) {
      try {
        files.put(RulesValidator.POLICIES_FILE, Files.readString(policies, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + policies, e);
      }
    }
    return files;
  }

  /**
   * Parses rule texts (file name -> YAML); throws listing every error of every invalid file. A
   * {@code policies.yaml} among them is not a rule: it is skipped here (see {@link
   * PoliciesParser}).
   */
  public static RuleSet parse(Map<String, String> files) {
    List<Rule> rules = new ArrayList<>();
    List<Journey> journeys = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, String> fileOfId = new HashMap<>();
    files.forEach(
        (file, text) -> {
          if (file.equals(RulesValidator.POLICIES_FILE)) {
            return;
          }
          RuleParser.Result read = RuleParser.read(file, text);
          List<Problem> errors = read.problems().stream().filter(Problem::isError).toList();
          if (!errors.isEmpty()) {
            errors.forEach(
                p -> problems.add(file + ":" + p.line() + ":" + p.column() + ": " + p.message()));
            return;
          }
          String id = read.id();
          String earlier = fileOfId.putIfAbsent(id, file);
          if (earlier != null) {
            problems.add(file + ":1:1: rule id '" + id + "' is already used by " + earlier);
          } else if (read.rule() != null) {
            rules.add(read.rule());
          } else {
            journeys.add(read.journey());
          }
        });
    if (!problems.isEmpty()) {
      throw new InvalidRulesException(problems);
    }
    return new RuleSet(rules, journeys);
  }

  /** Thrown when a rules folder holds invalid files; each problem is {@code file:line:col: msg}. */
  public static final class InvalidRulesException extends RuntimeException {
    private final List<String> problems;

    public InvalidRulesException(List<String> problems) {
      super("invalid rules:\n  " + String.join("\n  ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }
}
