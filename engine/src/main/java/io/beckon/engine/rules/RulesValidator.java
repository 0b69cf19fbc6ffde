package io.beckon.engine.rules;

import io.beckon.engine.template.Template;
import io.beckon.engine.template.TemplateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Validates a rules repository the way its CI should: every file against the published JSON Schema,
 * then semantically (ids, fences, operators against values, templates, variables), every problem at
 * once with its position. A repository with no errors loads in the job.
 */
public final class RulesValidator {
  public static final String POLICIES_FILE = "policies.yaml";

  /** Profile properties every user can have (contract section 1), for the variables check. */
  static final Set<String> PROFILE_NAMES =
      Set.of(
          "first_seen_at",
          "last_seen_at",
          "last_active_at",
          "session_count",
          "purchase_count",
          "total_spent",
          "last_purchase_at",
          "app_version",
          "platform",
          "locale",
          "timezone",
          "cart_value",
          "cart_units",
          "cart_skus",
          "lifecycle_stage",
          "first_name",
          "last_name",
          "email",
          "phone",
          "birthday",
          "country",
          "city",
          "gender",
          "language",
          "currency");

  private static final Map<String, Set<String>> TRIGGER_VARIABLES =
      Map.of(
          "cart_abandoned", Set.of("cart_value", "cart_units", "cart_skus"),
          "inactivity", Set.of("inactive_days"),
          "geofence_entered", Set.of("fence_id", "distance_m"),
          "event", Set.of());

  private RulesValidator() {}

  /** Validates every {@code *.yaml} file of a folder; problems sorted by file and position. */
  public static List<Problem> validateFolder(Path dir) {
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
    List<Problem> problems = new ArrayList<>(validate(files));
    problems.addAll(tooBig);
    problems.sort(Problem.ORDER);
    return problems;
  }

  /** Validates file name -> text; {@code policies.yaml} is checked as policies. */
  public static List<Problem> validate(Map<String, String> files) {
    List<Problem> problems = new ArrayList<>();
    Map<String, String> fileOfId = new HashMap<>();
    new TreeMap<>(files)
        .forEach(
            (file, text) -> {
              if (file.equals(POLICIES_FILE)) {
                problems.addAll(validatePolicies(file, text));
                return;
              }
              List<Problem> own = validateRule(file, text);
              problems.addAll(own);
              YamlNode idNode = idOf(text);
              if (idNode != null && idNode.scalar() instanceof String id) {
                String earlier = fileOfId.putIfAbsent(id, file);
                if (earlier != null) {
                  problems.add(
                      Problem.error(
                          file, idNode, "rule id '" + id + "' is already used by " + earlier));
                }
              }
            });
    problems.sort(Problem.ORDER);
    return problems;
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
   * One rule file: limits, schema, then semantics, then the loader itself as a last gate. Never
   * throws: a failure none of the checks foresaw is reported as a problem of the whole file.
   */
  public static List<Problem> validateRule(String file, String text) {
    try {
      return checkRule(file, text);
    } catch (RuntimeException | StackOverflowError e) {
      return List.of(
          new Problem(file, 1, 1, Problem.Severity.ERROR, "cannot check this file: " + e));
    }
  }

  private static List<Problem> checkRule(String file, String text) {
    YamlNode root;
    try {
      root = YamlNode.parse(text);
    } catch (RuleException e) {
      return List.of(problem(file, e));
    }
    List<Problem> tooLarge = RuleLimits.check(root).stream().map(e -> problem(file, e)).toList();
    if (!tooLarge.isEmpty()) {
      return tooLarge;
    }
    List<Problem> problems = new ArrayList<>(SchemaCheck.RULE.check(file, root));
    if (!problems.isEmpty()) {
      return problems;
    }
    new Semantics(file, root, problems).check();
    if (problems.stream().noneMatch(Problem::isError)) {
      try {
        RuleParser.parse(text);
      } catch (RuleException e) {
        problems.add(problem(file, e));
      }
    }
    return problems;
  }

  private static Problem problem(String file, RuleException e) {
    return new Problem(file, e.line(), e.column(), Problem.Severity.ERROR, e.problem());
  }

  /** {@code policies.yaml}: schema, then a real time zone. */
  public static List<Problem> validatePolicies(String file, String text) {
    YamlNode root;
    try {
      root = YamlNode.parse(text);
    } catch (RuleException e) {
      return List.of(problem(file, e));
    }
    List<Problem> problems = new ArrayList<>(SchemaCheck.POLICIES.check(file, root));
    if (problems.isEmpty()) {
      try {
        PoliciesParser.parse(text);
      } catch (RuleException e) {
        problems.add(problem(file, e));
      }
    }
    return problems;
  }

  /** The semantic checks of one schema-valid rule. */
  private static final class Semantics {
    private final String file;
    private final YamlNode root;
    private final List<Problem> problems;
    private final String kind;

    Semantics(String file, YamlNode root, List<Problem> problems) {
      this.file = file;
      this.root = root;
      this.problems = problems;
      this.kind = (String) root.get("trigger").get("kind").scalar();
    }

    void check() {
      YamlNode trigger = root.get("trigger");
      if (trigger.get("fences") != null) {
        fences(trigger.get("fences"));
      }
      if (trigger.get("where") != null) {
        condition(trigger.get("where"), "trigger.where");
      }
      if (root.get("audience") != null) {
        condition(root.get("audience"), "audience");
      }
      message(root.get("message"));
      if (root.get("experiment") != null) {
        experiment(root.get("experiment"));
      }
      if (root.get("conversion") != null && root.get("conversion").get("where") != null) {
        condition(root.get("conversion").get("where"), "conversion.where");
      }
    }

    private void fences(YamlNode fences) {
      Set<String> ids = new HashSet<>();
      for (YamlNode fence : fences.elements()) {
        YamlNode id = fence.get("id");
        if (!ids.add((String) id.scalar())) {
          problems.add(Problem.error(file, id, "duplicate fence id '" + id.scalar() + "'"));
        }
        if (fence.get("polygon") != null) {
          polygon(fence.get("polygon"));
        }
      }
    }

    private void polygon(YamlNode polygon) {
      List<double[]> points = new ArrayList<>();
      for (YamlNode p : polygon.elements()) {
        points.add(new double[] {number(p.elements().get(0)), number(p.elements().get(1))});
      }
      if (points.stream().map(p -> p[0] + "," + p[1]).distinct().count() < 3) {
        problems.add(
            Problem.error(file, polygon, "a polygon needs at least three distinct points"));
        return;
      }
      int n = points.size();
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          boolean adjacent = j == i + 1 || (i == 0 && j == n - 1);
          if (!adjacent
              && Geometry.segmentsIntersect(
                  points.get(i), points.get((i + 1) % n), points.get(j), points.get((j + 1) % n))) {
            problems.add(
                Problem.error(
                    file,
                    polygon.elements().get(j),
                    "the polygon crosses itself: edge "
                        + (i + 1)
                        + " and edge "
                        + (j + 1)
                        + " intersect"));
            return;
          }
        }
      }
    }

    private static double number(YamlNode n) {
      return ((Number) n.scalar()).doubleValue();
    }

    private void condition(YamlNode node, String where) {
      for (String group : List.of("all", "any")) {
        if (node.get(group) != null) {
          node.get(group).elements().forEach(c -> condition(c, where));
          return;
        }
      }
      if (node.get("not") != null) {
        condition(node.get("not"), where);
        return;
      }
      String op = (String) node.get("op").scalar();
      YamlNode value = node.get("value");
      switch (op) {
        case "exists", "not_exists" -> {
          if (value != null) {
            problems.add(Problem.error(file, value, "operator " + op + " takes no value"));
          }
        }
        case "gt", "gte", "lt", "lte" -> {
          if (value == null
              || !(value.scalar() instanceof Number || value.scalar() instanceof String)) {
            problems.add(
                Problem.error(
                    file,
                    value == null ? node : value,
                    "operator " + op + " needs a number, a string or an ISO-8601 timestamp"));
          }
        }
        case "contains" -> {
          if (value == null || value.isList()) {
            problems.add(
                Problem.error(
                    file, value == null ? node : value, "operator contains needs a single value"));
          }
        }
        default -> {
          if (value == null) {
            problems.add(Problem.error(file, node, "operator " + op + " needs a value"));
          } else if (value.isList()
              && (op.equals("eq") || op.equals("ne"))
              && value.elements().isEmpty()) {
            problems.add(Problem.warning(file, value, "comparing with an empty list"));
          }
        }
      }
      if (where.equals("audience")) {
        profileOnly(node.get("attribute"));
      }
    }

    private void message(YamlNode message) {
      String channel = (String) message.get("channel").scalar();
      YamlNode fallback = message.get("fallback");
      if (fallback != null) {
        for (YamlNode c : fallback.elements()) {
          if (channel.equals(c.scalar())) {
            problems.add(
                Problem.warning(file, c, "fallback repeats the primary channel '" + channel + "'"));
          }
        }
      }
      template(message.get("title"));
      template(message.get("body"));
      YamlNode variants = message.get("variants");
      if (variants != null) {
        for (YamlNode v : variants.elements()) {
          condition(v.get("when"), "variant");
          template(v.get("title"));
          template(v.get("body"));
          if (v.get("title") == null && v.get("body") == null) {
            problems.add(Problem.warning(file, v, "this variant changes neither title nor body"));
          }
        }
      }
    }

    private void experiment(YamlNode experiment) {
      YamlNode variants = experiment.get("variants");
      if (variants == null) {
        return;
      }
      Set<String> ids = new HashSet<>();
      for (YamlNode v : variants.elements()) {
        if (!ids.add((String) v.get("id").scalar())) {
          problems.add(
              Problem.error(
                  file,
                  v.get("id"),
                  "duplicate experiment variant id '" + v.get("id").scalar() + "'"));
        }
        template(v.get("title"));
        template(v.get("body"));
      }
    }

    private void template(YamlNode node) {
      if (node == null) {
        return;
      }
      String text = (String) node.scalar();
      try {
        Template t = Template.parse(text);
        for (String variable : t.variables()) {
          knownVariable(variable, node);
        }
      } catch (TemplateException e) {
        int line = node.line() + e.line() - 1;
        int column = e.line() == 1 ? node.column() + e.column() : e.column();
        problems.add(
            new Problem(file, line, column, Problem.Severity.ERROR, "template: " + e.getMessage()));
      }
    }

    private void knownVariable(String variable, YamlNode at) {
      String root =
          variable.contains(".") ? variable.substring(0, variable.indexOf('.')) : variable;
      if (root.equals("event") && kind.equals("event")) {
        return;
      }
      if (root.equals("event_count")
          || TRIGGER_VARIABLES.get(kind).contains(variable)
          || PROFILE_NAMES.contains(root)) {
        return;
      }
      if (root.equals("event")) {
        problems.add(
            Problem.error(
                file, at, "'" + variable + "' is only available to rules with trigger kind event"));
        return;
      }
      problems.add(
          Problem.warning(
              file,
              at,
              "unknown variable '"
                  + variable
                  + "': not a computed property or trigger variable (fine if it is a custom attribute)"));
    }

    private void profileOnly(YamlNode attribute) {
      String name = (String) attribute.scalar();
      if (TRIGGER_VARIABLES.values().stream().anyMatch(vars -> vars.contains(name))
          && !PROFILE_NAMES.contains(name)) {
        problems.add(
            Problem.error(
                file,
                attribute,
                "audience sees the profile only: '"
                    + name
                    + "' is a trigger variable (use message variants instead)"));
      } else if (name.startsWith("event.")) {
        problems.add(
            Problem.error(
                file, attribute, "audience sees the profile only, not the event: '" + name + "'"));
      }
    }
  }
}
