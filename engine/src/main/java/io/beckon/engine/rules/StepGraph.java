package io.beckon.engine.rules;

import io.beckon.engine.journey.Step;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The steps of a journey file as a graph while they are bound: resolves each target to a later step
 * or {@code end} (a backward or unknown target is an error at its position), and warns about steps
 * that no path from the first step reaches. Edges are kept even for steps with other errors, so one
 * pass reports every problem.
 */
final class StepGraph {
  static final Pattern STEP_ID = Pattern.compile("[a-z0-9-]{1,64}");

  private final Fields fields;
  private final List<YamlNode> steps;
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final List<BitSet> edges = new ArrayList<>();
  private boolean broken;

  StepGraph(Fields fields, List<YamlNode> steps) {
    this.fields = fields;
    this.steps = steps;
    for (int i = 0; i < steps.size(); i++) {
      edges.add(new BitSet());
      YamlNode id = steps.get(i).isMap() ? steps.get(i).get("id") : null;
      if (id != null && id.scalar() instanceof String s) {
        indexOf.putIfAbsent(s, i);
      }
    }
  }

  /** The target written at {@code node} for the step at {@code from}; null (reported) if wrong. */
  String target(YamlNode node, int from) {
    String target = fields.name(node);
    if (target == null || target.equals(Step.END)) {
      broken |= target == null;
      return target;
    }
    Integer to = indexOf.get(target);
    broken |= to == null || to <= from;
    if (to == null) {
      fields.problems().invalid(node, "'" + target + "' is no step of this journey (nor 'end')");
      return null;
    }
    if (to <= from) {
      fields
          .problems()
          .invalid(
              node,
              (to == from ? "'" + target + "' is this step itself" : "'" + target + "' is earlier")
                  + ": a target must be a later step or 'end'");
      return null;
    }
    edges.get(from).set(to);
    return target;
  }

  /** The step at {@code from} may go on to the next one in the list. */
  void next(int from) {
    edges.get(from).set(from + 1);
  }

  /**
   * Warns about each step that no path from the first step reaches; not when a target is wrong,
   * since where it was meant to go is unknown.
   */
  void warnUnreachable() {
    if (broken) {
      return;
    }
    BitSet reached = new BitSet();
    reached.set(0);
    // Targets point forward only, so one pass in list order sees every predecessor first.
    for (int i = 0; i < steps.size(); i++) {
      if (reached.get(i)) {
        reached.or(edges.get(i));
      } else {
        YamlNode step = steps.get(i);
        YamlNode id = step.isMap() && step.get("id") != null ? step.get("id") : step;
        fields.problems().warning(id, "no path from the first step reaches step " + show(id));
      }
    }
  }

  private static String show(YamlNode id) {
    return id.scalar() instanceof String s ? "'" + s + "'" : id.path();
  }
}
