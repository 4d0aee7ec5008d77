package dev.berth.auth;

/** The users who can log in, and the check of their passwords. */
public interface Accounts {
    /** Whether {@code password} is {@code user}'s. Never logs either. */
    boolean verify(String user, String password);
}
