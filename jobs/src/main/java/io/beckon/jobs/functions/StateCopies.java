package io.beckon.jobs.functions;

import io.beckon.schema.state.CartLine;
import io.beckon.schema.state.CartState;
import io.beckon.schema.state.JourneyInstance;
import io.beckon.schema.state.PendingConversion;
import io.beckon.schema.state.PendingFire;
import io.beckon.schema.state.ProfileState;
import io.beckon.schema.state.TriggerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Copies of the state parts the engine edits in place, made each time an input reads one (see
 * {@link FlinkUserStore}). Written out field by field because Avro's generic deep copy, by
 * reflection, cost a third of the engine's time; {@code StateCopiesTest} checks that every schema
 * field is copied and that no container is shared, so a new field cannot be forgotten silently.
 * Strings and boxed numbers are immutable and shared.
 */
final class StateCopies {
  private StateCopies() {}

  static ProfileState copy(ProfileState p) {
    if (p == null) {
      return null;
    }
    ProfileState c = new ProfileState();
    c.setFirstSeenAt(p.getFirstSeenAt());
    c.setLastSeenAt(p.getLastSeenAt());
    c.setLastActiveAt(p.getLastActiveAt());
    c.setSessionCount(p.getSessionCount());
    c.setPurchaseCount(p.getPurchaseCount());
    c.setTotalSpent(p.getTotalSpent());
    c.setLastPurchaseAt(p.getLastPurchaseAt());
    c.setEventCounts(new HashMap<>(p.getEventCounts()));
    c.setEventCountSince(new HashMap<>(p.getEventCountSince()));
    c.setPushToken(p.getPushToken());
    c.setPushTokenAt(p.getPushTokenAt());
    c.setConsent(new HashMap<>(p.getConsent()));
    c.setConsentAt(new HashMap<>(p.getConsentAt()));
    c.setLastLat(p.getLastLat());
    c.setLastLon(p.getLastLon());
    return c;
  }

  static CartState copy(CartState cart) {
    if (cart == null) {
      return null;
    }
    List<CartLine> lines = new ArrayList<>(cart.getLines().size());
    for (CartLine l : cart.getLines()) {
      lines.add(
          new CartLine(l.getSku(), l.getName(), l.getQuantity(), l.getPrice(), l.getCurrency()));
    }
    return new CartState(lines);
  }

  static TriggerState copy(TriggerState t) {
    if (t == null) {
      return null;
    }
    List<PendingFire> pending = new ArrayList<>(t.getPending().size());
    for (PendingFire f : t.getPending()) {
      pending.add(copy(f));
    }
    return new TriggerState(
        pending,
        t.getNextSeq(),
        new HashMap<>(t.getLastFire()),
        new HashMap<>(t.getFenceInside()),
        new HashMap<>(t.getFenceLastFire()),
        new ArrayList<>(t.getCapHistory()),
        new HashMap<>(t.getDateFired()),
        copyConversions(t.getConversions()),
        copyJourneys(t.getJourneys()));
  }

  private static List<JourneyInstance> copyJourneys(List<JourneyInstance> active) {
    List<JourneyInstance> out = new ArrayList<>(active.size());
    for (JourneyInstance i : active) {
      out.add(
          new JourneyInstance(
              i.getJourneyId(),
              i.getInstance(),
              i.getStep(),
              i.getReachedAt(),
              i.getDueTime(),
              i.getSeq(),
              i.getMatchedArm(),
              i.getVariables()));
    }
    return out;
  }

  private static List<PendingConversion> copyConversions(List<PendingConversion> open) {
    List<PendingConversion> out = new ArrayList<>(open.size());
    for (PendingConversion c : open) {
      out.add(
          new PendingConversion(
              c.getSendId(), c.getRuleId(), c.getVariant(), c.getFireTime(), c.getUntil()));
    }
    return out;
  }

  static PendingFire copy(PendingFire f) {
    PendingFire c = new PendingFire();
    c.setRuleId(f.getRuleId());
    c.setDueTime(f.getDueTime());
    c.setSeq(f.getSeq());
    c.setArmedAt(f.getArmedAt());
    c.setSourceEventId(f.getSourceEventId());
    c.setFenceId(f.getFenceId());
    c.setDistanceM(f.getDistanceM());
    c.setEventProperties(f.getEventProperties());
    c.setOccurrenceDate(f.getOccurrenceDate());
    c.setOccurrenceYear(f.getOccurrenceYear());
    c.setYears(f.getYears());
    return c;
  }
}
