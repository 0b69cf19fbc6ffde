package io.beckon.engine.rules;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.condition.Op;
import io.beckon.engine.geo.Fence;
import io.beckon.engine.template.Template;
import io.beckon.engine.template.TemplateException;
import io.beckon.engine.time.Durations;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses one rule file into a {@link Rule}. Strict: unknown keys, wrong types and bad values are
 * errors with the position of the offending node, so a rule is either fully understood or rejected.
 */
public final class RuleParser {
  private static final Pattern ID = Pattern.compile("[a-z0-9-]{3,64}");
  private static final Pattern VARIANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final long DEFAULT_EXPIRY = Durations.DAY;
  private static final Set<String> RULE_KEYS =
      Set.of(
          "id",
          "version",
          "enabled",
          "priority",
          "trigger",
          "audience",
          "exit_on",
          "reentry",
          "expire_after",
          "message",
          "policies",
          "description",
          "experiment",
          "conversion");

  private RuleParser() {}

  /** Parses the text of a rule file. */
  public static Rule parse(String yaml) {
    return parse(yaml, true);
  }

  /**
   * Parses a rule that was accepted before (the job's restored state) without the size checks of
   * {@link RuleLimits}: a rule accepted under older, higher limits keeps running after an upgrade
   * that lowers them, until its next version, instead of failing the job at every restore.
   */
  public static Rule parseAccepted(String yaml) {
    return parse(yaml, false);
  }

  private static Rule parse(String yaml, boolean limits) {
    YamlNode root = YamlNode.parse(yaml);
    if (!root.isMap()) {
      throw root.error("a rule file must be a mapping with id, version, trigger and message");
    }
    if (limits) {
      List<RuleException> tooLarge = RuleLimits.check(root);
      if (!tooLarge.isEmpty()) {
        throw tooLarge.get(0);
      }
    }
    checkKeys(root, RULE_KEYS);
    String id = string(required(root, "id"));
    if (!ID.matcher(id).matches()) {
      throw root.get("id").error("id '" + id + "' must match [a-z0-9-]{3,64}");
    }
    int version = (int) integer(required(root, "version"), 1, Integer.MAX_VALUE);
    boolean enabled = root.get("enabled") == null || bool(root.get("enabled"));
    int priority =
        root.get("priority") == null
            ? 0
            : (int) integer(root.get("priority"), Integer.MIN_VALUE, Integer.MAX_VALUE);
    Trigger trigger = trigger(required(root, "trigger"));
    Condition audience = root.get("audience") == null ? null : condition(root.get("audience"));
    List<Rule.ExitOn> exitOn =
        root.get("exit_on") == null ? List.of() : exitOn(root.get("exit_on"));
    Rule.Reentry reentry =
        root.get("reentry") == null ? Rule.Reentry.NONE : reentry(root.get("reentry"));
    long expireAfter =
        root.get("expire_after") == null ? DEFAULT_EXPIRY : duration(root.get("expire_after"));
    Rule.Message message = message(required(root, "message"));
    Rule.Overrides policies =
        root.get("policies") == null ? Rule.Overrides.NONE : overrides(root.get("policies"));
    Experiment experiment =
        root.get("experiment") == null ? null : experiment(root.get("experiment"));
    Conversion conversion =
        root.get("conversion") == null ? null : conversion(root.get("conversion"));
    return new Rule(
        id,
        version,
        enabled,
        priority,
        trigger,
        audience,
        exitOn,
        reentry,
        expireAfter,
        message,
        policies,
        experiment,
        conversion);
  }

  private static List<Rule.ExitOn> exitOn(YamlNode node) {
    if (!node.isList()) {
      throw node.error("exit_on must be a list of event types or {event, where} entries");
    }
    List<Rule.ExitOn> out = new ArrayList<>();
    for (YamlNode entry : node.elements()) {
      if (entry.isMap()) {
        checkKeys(entry, Set.of("event", "where"));
        out.add(
            new Rule.ExitOn(
                string(required(entry, "event")),
                entry.get("where") == null ? null : condition(entry.get("where"))));
      } else {
        out.add(new Rule.ExitOn(string(entry), null));
      }
    }
    return List.copyOf(out);
  }

  private static Rule.Overrides overrides(YamlNode node) {
    requireMap(node, "policies");
    checkKeys(node, Set.of("quiet_hours", "frequency_caps"));
    return new Rule.Overrides(ignore(node.get("quiet_hours")), ignore(node.get("frequency_caps")));
  }

  private static boolean ignore(YamlNode node) {
    if (node == null) {
      return false;
    }
    if (!"ignore".equals(node.scalar())) {
      throw node.error("the only setting a rule can give a policy is 'ignore'");
    }
    return true;
  }

  private static Experiment experiment(YamlNode node) {
    requireMap(node, "experiment");
    checkKeys(node, Set.of("holdout_pct", "variants"));
    int holdoutBuckets = 0;
    if (node.get("holdout_pct") != null) {
      YamlNode pct = node.get("holdout_pct");
      BigDecimal buckets = new BigDecimal(String.valueOf(number(pct, 0, 50))).movePointRight(2);
      if (buckets.stripTrailingZeros().scale() > 0) {
        throw pct.error("holdout_pct may have at most two decimals (one bucket is 0.01%)");
      }
      holdoutBuckets = buckets.intValue();
    }
    List<Experiment.Variant> variants = new ArrayList<>();
    if (node.get("variants") != null) {
      YamlNode list = node.get("variants");
      if (!list.isList() || list.elements().isEmpty()) {
        throw list.error("variants must be a non-empty list");
      }
      Set<String> ids = new LinkedHashSet<>();
      for (YamlNode v : list.elements()) {
        requireMap(v, "an experiment variant");
        checkKeys(v, Set.of("id", "weight", "title", "body"));
        YamlNode idNode = required(v, "id");
        String id = string(idNode);
        if (!VARIANT_ID.matcher(id).matches()) {
          throw idNode.error("variant id '" + id + "' must match [A-Za-z0-9_-]{1,32}");
        }
        if (id.equals(Experiment.HOLDOUT)) {
          throw idNode.error("'holdout' names the holdout group; choose another variant id");
        }
        if (!ids.add(id)) {
          throw idNode.error("duplicate experiment variant id '" + id + "'");
        }
        YamlNode weightNode = required(v, "weight");
        BigDecimal weight = new BigDecimal(String.valueOf(number(weightNode, 0, 1e9)));
        if (weight.signum() <= 0) {
          throw weightNode.error("a variant weight must be greater than 0");
        }
        variants.add(
            new Experiment.Variant(
                id,
                weight,
                v.get("title") == null ? null : template(v.get("title")),
                v.get("body") == null ? null : template(v.get("body"))));
      }
    }
    return new Experiment(holdoutBuckets, List.copyOf(variants));
  }

  private static Conversion conversion(YamlNode node) {
    requireMap(node, "conversion");
    checkKeys(node, Set.of("event", "where", "within"));
    YamlNode within = required(node, "within");
    long millis = duration(within);
    if (millis <= 0) {
      throw within.error("a conversion window must be longer than 0s");
    }
    return new Conversion(
        string(required(node, "event")),
        node.get("where") == null ? null : condition(node.get("where")),
        millis);
  }

  private static Trigger trigger(YamlNode node) {
    requireMap(node, "trigger");
    String kind = string(required(node, "kind"));
    switch (kind) {
      case "cart_abandoned" -> {
        checkKeys(node, Set.of("kind", "delay"));
        return new Trigger.CartAbandoned(duration(required(node, "delay")));
      }
      case "inactivity" -> {
        checkKeys(node, Set.of("kind", "after", "activity"));
        Set<String> activity =
            node.get("activity") == null ? Set.of("app_opened") : stringSet(node.get("activity"));
        return new Trigger.Inactivity(duration(required(node, "after")), activity);
      }
      case "geofence_entered" -> {
        checkKeys(node, Set.of("kind", "fences", "max_accuracy_m", "dwell", "cooldown"));
        return geofence(node);
      }
      case "event" -> {
        checkKeys(node, Set.of("kind", "event", "where", "delay"));
        Condition where = node.get("where") == null ? null : condition(node.get("where"));
        long delay = node.get("delay") == null ? 0 : duration(node.get("delay"));
        return new Trigger.OnEvent(string(required(node, "event")), where, delay);
      }
      default ->
          throw node.get("kind")
              .error(
                  "unknown trigger kind '"
                      + kind
                      + "': use cart_abandoned, inactivity, geofence_entered or event");
    }
  }

  private static Trigger geofence(YamlNode node) {
    YamlNode fencesNode = required(node, "fences");
    if (!fencesNode.isList() || fencesNode.elements().isEmpty()) {
      throw fencesNode.error("fences must be a non-empty list");
    }
    List<Fence> fences = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (YamlNode f : fencesNode.elements()) {
      Fence fence = fence(f);
      if (!ids.add(fence.id())) {
        throw f.error("duplicate fence id '" + fence.id() + "'");
      }
      fences.add(fence);
    }
    double maxAccuracy =
        node.get("max_accuracy_m") == null ? 100 : number(node.get("max_accuracy_m"), 0, 1e7);
    long dwell = node.get("dwell") == null ? 0 : duration(node.get("dwell"));
    long cooldown = node.get("cooldown") == null ? Durations.DAY : duration(node.get("cooldown"));
    return new Trigger.GeofenceEntered(List.copyOf(fences), maxAccuracy, dwell, cooldown);
  }

  private static Fence fence(YamlNode node) {
    requireMap(node, "a fence");
    String id = string(required(node, "id"));
    if (node.get("polygon") != null) {
      checkKeys(node, Set.of("id", "polygon"));
      YamlNode polygon = node.get("polygon");
      if (!polygon.isList()) {
        throw polygon.error("polygon must be a list of [lat, lon] points");
      }
      List<double[]> vertices = new ArrayList<>();
      for (YamlNode point : polygon.elements()) {
        if (!point.isList() || point.elements().size() != 2) {
          throw point.error("a polygon point must be [lat, lon]");
        }
        vertices.add(
            new double[] {
              number(point.elements().get(0), -90, 90), number(point.elements().get(1), -180, 180)
            });
      }
      if (vertices.stream().map(v -> v[0] + "," + v[1]).distinct().count() < 3) {
        throw polygon.error("a polygon needs at least three distinct points");
      }
      return new Fence.Polygon(id, List.copyOf(vertices));
    }
    checkKeys(node, Set.of("id", "lat", "lon", "radius_m"));
    double lat = number(required(node, "lat"), -90, 90);
    double lon = number(required(node, "lon"), -180, 180);
    YamlNode radiusNode = required(node, "radius_m");
    double radius = number(radiusNode, 0, 2e7);
    if (radius <= 0) {
      throw radiusNode.error("radius_m must be positive");
    }
    return new Fence.Circle(id, lat, lon, radius);
  }

  private static Rule.Reentry reentry(YamlNode node) {
    requireMap(node, "reentry");
    checkKeys(node, Set.of("once", "cooldown"));
    if (node.get("once") != null && node.get("cooldown") != null) {
      throw node.error("reentry takes either once or cooldown, not both");
    }
    if (node.get("once") != null) {
      return new Rule.Reentry(bool(node.get("once")), 0);
    }
    return new Rule.Reentry(false, duration(required(node, "cooldown")));
  }

  private static Rule.Message message(YamlNode node) {
    requireMap(node, "message");
    checkKeys(node, Set.of("channel", "fallback", "title", "body", "variants"));
    String channel = channel(required(node, "channel"));
    List<String> fallback = new ArrayList<>();
    if (node.get("fallback") != null) {
      YamlNode list = node.get("fallback");
      if (!list.isList()) {
        throw list.error("fallback must be a list of channels");
      }
      for (YamlNode c : list.elements()) {
        fallback.add(channel(c));
      }
    }
    Template title = node.get("title") == null ? null : template(node.get("title"));
    Template body = template(required(node, "body"));
    List<Rule.Variant> variants = new ArrayList<>();
    if (node.get("variants") != null) {
      YamlNode list = node.get("variants");
      if (!list.isList()) {
        throw list.error("variants must be a list");
      }
      for (YamlNode v : list.elements()) {
        requireMap(v, "a variant");
        checkKeys(v, Set.of("when", "title", "body"));
        variants.add(
            new Rule.Variant(
                condition(required(v, "when")),
                v.get("title") == null ? null : template(v.get("title")),
                v.get("body") == null ? null : template(v.get("body"))));
      }
    }
    return new Rule.Message(channel, List.copyOf(fallback), title, body, List.copyOf(variants));
  }

  private static String channel(YamlNode node) {
    String channel = string(node);
    if (!Channels.ALL.contains(channel)) {
      throw node.error("unknown channel '" + channel + "': use one of " + Channels.ALL);
    }
    return channel;
  }

  private static Template template(YamlNode node) {
    String text = string(node);
    try {
      return Template.parse(text);
    } catch (TemplateException e) {
      // Position inside a one-line scalar: shift by the scalar's column (quotes included).
      int line = node.line() + e.line() - 1;
      int column = e.line() == 1 ? node.column() + e.column() : e.column();
      throw new RuleException(line, column, "template: " + e.getMessage());
    }
  }

  /** Parses a condition: {attribute, op, value} or an all/any/not group. */
  public static Condition condition(YamlNode node) {
    requireMap(node, "a condition");
    Map<String, YamlNode> entries = node.entries();
    if (entries.containsKey("all") || entries.containsKey("any")) {
      String key = entries.containsKey("all") ? "all" : "any";
      checkKeys(node, Set.of(key));
      YamlNode list = node.get(key);
      if (!list.isList()) {
        throw list.error(key + " must be a list of conditions");
      }
      List<Condition> parts = new ArrayList<>();
      list.elements().forEach(c -> parts.add(condition(c)));
      return key.equals("all")
          ? new Condition.All(List.copyOf(parts))
          : new Condition.Any(List.copyOf(parts));
    }
    if (entries.containsKey("not")) {
      checkKeys(node, Set.of("not"));
      return new Condition.Not(condition(node.get("not")));
    }
    checkKeys(node, Set.of("attribute", "op", "value"));
    String attribute = string(required(node, "attribute"));
    YamlNode opNode = required(node, "op");
    Op op = Op.parse(string(opNode));
    if (op == null) {
      throw opNode.error(
          "unknown operator '"
              + opNode.scalar()
              + "': use eq, ne, in, not_in, gt, gte, lt, lte, exists, not_exists or contains");
    }
    YamlNode valueNode = node.get("value");
    if (op.unary()) {
      if (valueNode != null) {
        throw valueNode.error("operator " + op.spelling() + " takes no value");
      }
      return new Condition.Compare(attribute, op, null);
    }
    if (valueNode == null) {
      throw node.error("operator " + op.spelling() + " needs a value");
    }
    if (valueNode.isMap()) {
      throw valueNode.error("a condition value must be a scalar or a list");
    }
    return new Condition.Compare(attribute, op, valueNode.toValue());
  }

  // ---- small typed readers; each throws at the node's own position ----

  private static void checkKeys(YamlNode node, Set<String> allowed) {
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw node.key(e.getKey()).error("unknown key '" + e.getKey() + "'");
      }
    }
  }

  private static YamlNode required(YamlNode parent, String key) {
    YamlNode child = parent.get(key);
    if (child == null) {
      throw parent.error("missing required key '" + key + "'");
    }
    return child;
  }

  private static void requireMap(YamlNode node, String what) {
    if (!node.isMap()) {
      throw node.error(what + " must be a mapping");
    }
  }

  private static String string(YamlNode node) {
    if (!node.isScalar() || !(node.scalar() instanceof String s)) {
      throw node.error("expected a string");
    }
    return s;
  }

  private static boolean bool(YamlNode node) {
    if (!(node.scalar() instanceof Boolean b)) {
      throw node.error("expected true or false");
    }
    return b;
  }

  private static long integer(YamlNode node, long min, long max) {
    if (!(node.scalar() instanceof Long l)) {
      throw node.error("expected an integer");
    }
    if (l < min || l > max) {
      throw node.error("expected an integer between " + min + " and " + max);
    }
    return l;
  }

  private static double number(YamlNode node, double min, double max) {
    if (!(node.scalar() instanceof Number n)) {
      throw node.error("expected a number");
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      throw node.error("expected a number between " + min + " and " + max);
    }
    return d;
  }

  private static long duration(YamlNode node) {
    Object value = node.scalar();
    try {
      return Durations.parseMillis(value instanceof String s ? s : String.valueOf(value));
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  private static Set<String> stringSet(YamlNode node) {
    if (!node.isList()) {
      throw node.error("expected a list of event types");
    }
    Set<String> out = new LinkedHashSet<>();
    node.elements().forEach(e -> out.add(string(e)));
    return Set.copyOf(out);
  }
}
