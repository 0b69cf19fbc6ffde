package io.beckon.engine.journey;

import io.beckon.engine.condition.Condition;
import io.beckon.engine.event.UserEvent;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.Trigger;
import java.util.ArrayList;
import java.util.List;

/**
 * A journey (contract section 7): a rule file with {@code kind: journey} whose trigger starts an
 * instance that walks {@code steps} in order. Bound and checked by the rule grammar; every target
 * names a later step or {@link Step#END}, so the step graph is acyclic. {@code audience} may be
 * null (everyone).
 */
public record Journey(
    String id,
    int version,
    boolean enabled,
    int priority,
    Trigger trigger,
    Condition audience,
    Rule.Reentry reentry,
    WhileActive whileActive,
    List<Rule.ExitOn> exitOn,
    Rule.Overrides policies,
    List<Step> steps) {

  /** What an entry does while an instance of the journey is active for the user. */
  public enum WhileActive {
    IGNORE,
    RESTART
  }

  /**
   * The journey's trigger as a rule without a message, under the journey's id: the engine arms,
   * cancels ({@code exit_on}) and re-schedules it as any rule's, and a fire of it is an entry
   * attempt. Its reentry history is the history of admitted entries.
   */
  public Rule entry() {
    return new Rule(
        id, version, enabled, priority, trigger, null, exitOn, reentry, 0, null, policies, null,
        null);
  }

  /** Whether an event ends this journey's active instance ({@code exit_on}). */
  public boolean exitsOn(UserEvent e) {
    for (Rule.ExitOn exit : exitOn) {
      if (exit.event().equals(e.type())
          && (exit.where() == null || exit.where().test(e::property))) {
        return true;
      }
    }
    return false;
  }

  /** The step with id {@code stepId}; null when there is none. */
  public Step step(String stepId) {
    int index = indexOf(stepId);
    return index < 0 ? null : steps.get(index);
  }

  /** The steps that can follow the step at {@code index}: step ids, or {@link Step#END}. */
  public List<String> successors(int index) {
    String next = index + 1 < steps.size() ? steps.get(index + 1).id() : Step.END;
    List<String> out = new ArrayList<>();
    for (String target : steps.get(index).targets()) {
      out.add(target == null ? next : target);
    }
    return List.copyOf(out);
  }

  /** The position of a step in {@link #steps}; -1 for {@link Step#END} or an unknown id. */
  public int indexOf(String stepId) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).id().equals(stepId)) {
        return i;
      }
    }
    return -1;
  }
}
