package io.beckon.engine.rules;

import java.util.List;

/** The delivery channels of the contract. */
public final class Channels {
  public static final String PUSH = "push";
  public static final String EMAIL = "email";
  public static final String SMS = "sms";
  public static final String WHATSAPP = "whatsapp";
  public static final String IN_APP = "in_app";
  public static final List<String> ALL = List.of(PUSH, EMAIL, SMS, WHATSAPP, IN_APP);

  private Channels() {}
}
