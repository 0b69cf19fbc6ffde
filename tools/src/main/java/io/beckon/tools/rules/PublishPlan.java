package io.beckon.tools.rules;

import io.beckon.engine.rules.RulesValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code rules publish} would change: the local rules folder compared with the rules and
 * policies last published on the compacted topics. Plain data in, plain data out, no Kafka, so the
 * rules of publishing (versions must increase on every change, a removed file becomes a tombstone)
 * are tested on their own.
 */
public final class PublishPlan {
  /** The key of the policies record on the policies topic. */
  public static final String POLICIES_KEY = "policies";

  /** A valid rule file of the local folder; {@code yaml} is the whole file. */
  public record LocalRule(String file, String id, int version, boolean enabled, String yaml) {}

  /**
   * The last value of a rule id on the rules topic; {@link #tombstone} when that value is null (the
   * rule was deleted).
   */
  public record PublishedRule(
      String id, int version, boolean enabled, String file, String yaml, boolean tombstone) {
    public static PublishedRule of(
        String id, int version, boolean enabled, String file, String yaml) {
      return new PublishedRule(id, version, enabled, file, yaml, false);
    }

    public static PublishedRule deleted(String id) {
      return new PublishedRule(id, 0, false, null, null, true);
    }
  }

  /** The last published state of both topics, as read back with {@code read_committed}. */
  public record Published(Map<String, PublishedRule> rules, Policies policies) {
    public static final Published EMPTY = new Published(Map.of(), Policies.NEVER);

    public Published {
      rules = Map.copyOf(rules);
      Objects.requireNonNull(policies, "policies");
    }
  }

  /**
   * The last value on the policies topic: never written, a tombstone, or the text of {@code
   * policies.yaml}.
   */
  public record Policies(String yaml, boolean tombstone) {
    public static final Policies NEVER = new Policies(null, false);
    public static final Policies TOMBSTONE = new Policies(null, true);

    public static Policies of(String yaml) {
      return new Policies(Objects.requireNonNull(yaml, "yaml"), false);
    }

    boolean present() {
      return yaml != null;
    }
  }

  public enum Kind {
    ADDED,
    UPDATED,
    DELETED
  }

  /** How an update changes {@code enabled}. */
  public enum Switch {
    NONE,
    DISABLED,
    ENABLED
  }

  /**
   * One record to write. For a rule, {@code local} is what is written ({@code null} for a
   * tombstone); for the policies, {@code policiesYaml} is ({@code null} for a tombstone).
   */
  public record Change(
      Kind kind,
      String id,
      boolean policies,
      LocalRule local,
      PublishedRule published,
      String policiesYaml,
      Switch enabledSwitch) {

    public boolean tombstone() {
      return kind == Kind.DELETED;
    }

    private String updateLabel() {
      return switch (enabledSwitch) {
        case NONE -> "~ updated   ";
        case DISABLED -> "~ disabled  ";
        case ENABLED -> "~ enabled   ";
      };
    }

    /** The plan line, e.g. {@code + added cart-abandonment-2h v1 (cart-abandonment-2h.yaml)}. */
    public String line() {
      if (policies) {
        return switch (kind) {
          case ADDED -> "+ added     policies (" + RulesValidator.POLICIES_FILE + ")";
          case UPDATED -> "~ updated   policies (" + RulesValidator.POLICIES_FILE + ")";
          case DELETED -> "- deleted   policies (tombstone)";
        };
      }
      return switch (kind) {
        case ADDED -> "+ added     " + id + " v" + local.version() + " (" + local.file() + ")";
        case UPDATED -> updateLabel() + id + " v" + published.version() + " -> v" + local.version();
        case DELETED -> "- deleted   " + id + " (tombstone)";
      };
    }
  }

  /** Why the folder cannot be published; printed as {@code FILE: message}. */
  public record Refusal(String file, String message) {
    @Override
    public String toString() {
      return file + ": " + message;
    }
  }

  private final List<Change> changes;
  private final List<Refusal> refusals;
  private final List<String> unchanged;

  private PublishPlan(List<Change> changes, List<Refusal> refusals, List<String> unchanged) {
    this.changes = List.copyOf(changes);
    this.refusals = List.copyOf(refusals);
    this.unchanged = List.copyOf(unchanged);
  }

  /**
   * Compares a valid local folder with the published state.
   *
   * @param localRules the rule files of the folder (ids unique: the validator checked that)
   * @param localPolicies the text of {@code policies.yaml}, or {@code null} when there is none
   * @param published the last value per key on the rules and policies topics
   */
  public static PublishPlan of(
      List<LocalRule> localRules, String localPolicies, Published published) {
    List<Change> changes = new ArrayList<>();
    List<Refusal> refusals = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();

    Map<String, LocalRule> byId = new TreeMap<>();
    localRules.forEach(r -> byId.put(r.id(), r));
    Set<String> ids = new TreeSet<>(byId.keySet());
    ids.addAll(published.rules().keySet());

    for (String id : ids) {
      LocalRule local = byId.get(id);
      PublishedRule last = published.rules().get(id);
      boolean live = last != null && !last.tombstone();
      if (local == null) {
        if (live) {
          changes.add(new Change(Kind.DELETED, id, false, null, last, null, Switch.NONE));
        }
        // A tombstone of a rule no longer in the folder: already deleted, nothing to do.
      } else if (!live) {
        changes.add(new Change(Kind.ADDED, id, false, local, last, null, Switch.NONE));
      } else if (local.version() < last.version()) {
        refusals.add(
            new Refusal(
                local.file(),
                "version "
                    + local.version()
                    + " is lower than the published version "
                    + last.version()
                    + " of rule "
                    + id));
      } else if (local.version() == last.version()) {
        if (local.yaml().equals(last.yaml())) {
          unchanged.add(id + " v" + local.version());
        } else {
          refusals.add(
              new Refusal(
                  local.file(),
                  "rule "
                      + id
                      + " changed but its version is still "
                      + local.version()
                      + " (the version must increase on every change)"));
        }
      } else {
        Switch enabledSwitch =
            last.enabled() == local.enabled()
                ? Switch.NONE
                : local.enabled() ? Switch.ENABLED : Switch.DISABLED;
        changes.add(new Change(Kind.UPDATED, id, false, local, last, null, enabledSwitch));
      }
    }

    Policies lastPolicies = published.policies();
    if (localPolicies == null) {
      if (lastPolicies.present()) {
        changes.add(new Change(Kind.DELETED, POLICIES_KEY, true, null, null, null, Switch.NONE));
      }
    } else if (!lastPolicies.present()) {
      changes.add(
          new Change(Kind.ADDED, POLICIES_KEY, true, null, null, localPolicies, Switch.NONE));
    } else if (!lastPolicies.yaml().equals(localPolicies)) {
      changes.add(
          new Change(Kind.UPDATED, POLICIES_KEY, true, null, null, localPolicies, Switch.NONE));
    } else {
      unchanged.add(POLICIES_KEY);
    }
    return new PublishPlan(changes, refusals, unchanged);
  }

  /** The records to write: rules by id, then the policies. */
  public List<Change> changes() {
    return changes;
  }

  public List<Change> ruleChanges() {
    return changes.stream().filter(c -> !c.policies()).toList();
  }

  public List<Change> policyChanges() {
    return changes.stream().filter(Change::policies).toList();
  }

  /** When not empty, nothing may be written. */
  public List<Refusal> refusals() {
    return refusals;
  }

  /** Rule ids (with their version) and {@code policies} that are already published as they are. */
  public List<String> unchanged() {
    return unchanged;
  }

  /** E.g. {@code 3 change(s): 1 added, 1 updated, 1 deleted; 2 unchanged}. */
  public String summary() {
    return changes.size()
        + " change(s): "
        + count(Kind.ADDED)
        + " added, "
        + count(Kind.UPDATED)
        + " updated, "
        + count(Kind.DELETED)
        + " deleted; "
        + unchanged.size()
        + " unchanged";
  }

  private long count(Kind kind) {
    return changes.stream().filter(c -> c.kind() == kind).count();
  }
}
