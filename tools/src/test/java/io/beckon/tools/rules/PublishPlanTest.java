package io.beckon.tools.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.tools.rules.PublishPlan.Change;
import io.beckon.tools.rules.PublishPlan.Kind;
import io.beckon.tools.rules.PublishPlan.LocalRule;
import io.beckon.tools.rules.PublishPlan.Policies;
import io.beckon.tools.rules.PublishPlan.Published;
import io.beckon.tools.rules.PublishPlan.PublishedRule;
import io.beckon.tools.rules.PublishPlan.Switch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishPlanTest {
  private static LocalRule local(String id, int version, boolean enabled) {
    return new LocalRule(id + ".yaml", id, version, enabled, text(id, version, enabled));
  }

  private static String text(String id, int version, boolean enabled) {
    return "id: " + id + "\nversion: " + version + "\nenabled: " + enabled + "\n";
  }

  private static PublishedRule published(String id, int version, boolean enabled) {
    return PublishedRule.of(id, version, enabled, id + ".yaml", text(id, version, enabled));
  }

  private static Published rules(PublishedRule... rules) {
    return withPolicies(Policies.NEVER, rules);
  }

  private static Published withPolicies(Policies policies, PublishedRule... rules) {
    Map<String, PublishedRule> byId = new java.util.HashMap<>();
    for (PublishedRule r : rules) {
      byId.put(r.id(), r);
    }
    return new Published(byId, policies);
  }

  @Test
  void aRuleNeverPublishedIsAdded() {
    PublishPlan plan = PublishPlan.of(List.of(local("cart-2h", 1, true)), null, Published.EMPTY);
    assertEquals(1, plan.changes().size());
    Change c = plan.changes().get(0);
    assertEquals(Kind.ADDED, c.kind());
    assertEquals("cart-2h", c.id());
    assertEquals(local("cart-2h", 1, true), c.local());
    assertEquals("+ added     cart-2h v1 (cart-2h.yaml)", c.line());
    assertTrue(plan.refusals().isEmpty());
    assertEquals("1 change(s): 1 added, 0 updated, 0 deleted; 0 unchanged", plan.summary());
  }

  @Test
  void aRuleWhoseLastValueIsATombstoneIsAddedAgain() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("cart-2h", 1, true)), null, rules(PublishedRule.deleted("cart-2h")));
    assertEquals(List.of(Kind.ADDED), kinds(plan));
  }

  @Test
  void aHigherVersionIsAnUpdate() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("winback-7d", 2, true)), null, rules(published("winback-7d", 1, true)));
    Change c = plan.changes().get(0);
    assertEquals(Kind.UPDATED, c.kind());
    assertEquals(Switch.NONE, c.enabledSwitch());
    assertEquals(2, c.local().version());
    assertEquals("~ updated   winback-7d v1 -> v2", c.line());
  }

  @Test
  void anUpdateThatTurnsEnabledOffOrOnIsMarked() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("winback-7d", 3, false), local("welcome", 5, true)),
            null,
            rules(published("winback-7d", 2, true), published("welcome", 4, false)));
    assertEquals(List.of(Kind.UPDATED, Kind.UPDATED), kinds(plan));
    Change welcome = plan.changes().get(0);
    Change winback = plan.changes().get(1);
    assertEquals(Switch.ENABLED, welcome.enabledSwitch());
    assertEquals("~ enabled   welcome v4 -> v5", welcome.line());
    assertEquals(Switch.DISABLED, winback.enabledSwitch());
    assertEquals("~ disabled  winback-7d v2 -> v3", winback.line());
    assertEquals(false, winback.local().enabled());
  }

  @Test
  void theSameVersionWithTheSameTextIsUnchanged() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("winback-7d", 2, true)), null, rules(published("winback-7d", 2, true)));
    assertTrue(plan.changes().isEmpty());
    assertTrue(plan.refusals().isEmpty());
    assertEquals(List.of("winback-7d v2"), plan.unchanged());
    assertEquals("0 change(s): 0 added, 0 updated, 0 deleted; 1 unchanged", plan.summary());
  }

  @Test
  void aLowerVersionIsRefused() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("winback-7d", 1, true), local("new-rule", 1, true)),
            null,
            rules(published("winback-7d", 3, true)));
    assertEquals(1, plan.refusals().size());
    assertEquals(
        "winback-7d.yaml: version 1 is lower than the published version 3 of rule winback-7d",
        plan.refusals().get(0).toString());
  }

  @Test
  void theSameVersionWithOtherTextIsRefused() {
    LocalRule edited =
        new LocalRule("w.yaml", "winback-7d", 2, true, text("winback-7d", 2, true) + "# edited\n");
    PublishPlan plan =
        PublishPlan.of(List.of(edited), null, rules(published("winback-7d", 2, true)));
    assertTrue(plan.changes().isEmpty());
    assertEquals(
        "w.yaml: rule winback-7d changed but its version is still 2"
            + " (the version must increase on every change)",
        plan.refusals().get(0).toString());
  }

  @Test
  void everyRefusalIsReported() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(
                local("a-rule", 1, true),
                new LocalRule("b.yaml", "b-rule", 4, true, "something else")),
            null,
            rules(published("a-rule", 2, true), published("b-rule", 4, true)));
    assertEquals(2, plan.refusals().size());
    assertEquals("a-rule.yaml", plan.refusals().get(0).file());
    assertEquals("b.yaml", plan.refusals().get(1).file());
  }

  @Test
  void aPublishedRuleWithoutAFileIsDeletedWithATombstone() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("keep-me", 1, true)),
            null,
            rules(published("keep-me", 1, true), published("old-rule", 7, true)));
    assertEquals(1, plan.changes().size());
    Change c = plan.changes().get(0);
    assertEquals(Kind.DELETED, c.kind());
    assertEquals("old-rule", c.id());
    assertTrue(c.tombstone());
    assertNull(c.local());
    assertEquals("- deleted   old-rule (tombstone)", c.line());
  }

  @Test
  void aTombstoneForAnIdNotInTheFolderIsHarmless() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("keep-me", 1, true)),
            null,
            rules(published("keep-me", 1, true), PublishedRule.deleted("gone-long-ago")));
    assertTrue(plan.changes().isEmpty());
    assertTrue(plan.refusals().isEmpty());
  }

  @Test
  void changesComeInIdOrderWithPoliciesLast() {
    PublishPlan plan =
        PublishPlan.of(
            List.of(local("ccc", 1, true), local("aaa", 2, true)),
            "default_timezone: UTC\n",
            rules(published("aaa", 1, true), published("bbb", 1, true)));
    assertEquals(
        List.of("aaa", "bbb", "ccc", "policies"), plan.changes().stream().map(Change::id).toList());
    assertEquals(List.of(Kind.UPDATED, Kind.DELETED, Kind.ADDED, Kind.ADDED), kinds(plan));
    assertEquals(3, plan.ruleChanges().size());
    assertEquals(1, plan.policyChanges().size());
  }

  @Test
  void policiesAreAddedUpdatedDeletedOrUnchanged() {
    String v1 = "default_timezone: Europe/Warsaw\n";
    String v2 = "default_timezone: Europe/Berlin\n";

    Change added = PublishPlan.of(List.of(), v1, Published.EMPTY).changes().get(0);
    assertEquals(Kind.ADDED, added.kind());
    assertTrue(added.policies());
    assertEquals(v1, added.policiesYaml());
    assertEquals("+ added     policies (policies.yaml)", added.line());

    Change readded =
        PublishPlan.of(List.of(), v1, withPolicies(Policies.TOMBSTONE)).changes().get(0);
    assertEquals(Kind.ADDED, readded.kind());

    Change updated = PublishPlan.of(List.of(), v2, withPolicies(Policies.of(v1))).changes().get(0);
    assertEquals(Kind.UPDATED, updated.kind());
    assertEquals(v2, updated.policiesYaml());
    assertEquals("~ updated   policies (policies.yaml)", updated.line());

    Change deleted =
        PublishPlan.of(List.of(), null, withPolicies(Policies.of(v1))).changes().get(0);
    assertEquals(Kind.DELETED, deleted.kind());
    assertTrue(deleted.tombstone());
    assertEquals(PublishPlan.POLICIES_KEY, deleted.id());
    assertEquals("- deleted   policies (tombstone)", deleted.line());

    PublishPlan unchanged = PublishPlan.of(List.of(), v1, withPolicies(Policies.of(v1)));
    assertTrue(unchanged.changes().isEmpty());
    assertEquals(List.of("policies"), unchanged.unchanged());

    assertTrue(
        PublishPlan.of(List.of(), null, withPolicies(Policies.TOMBSTONE)).changes().isEmpty());
    assertTrue(PublishPlan.of(List.of(), null, Published.EMPTY).changes().isEmpty());
  }

  private static List<Kind> kinds(PublishPlan plan) {
    return plan.changes().stream().map(Change::kind).toList();
  }
}
