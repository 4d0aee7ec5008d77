package dev.berth.auth;

/**
 * The accounts could not be asked (a directory that is down, slow or refuses berth's own account): nothing is known of
 * the user, so nothing is granted, and the client hears that it may try again rather than that its password is wrong.
 */
public final class AccountsUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AccountsUnavailable(String message) {
        super(message, null, false, false);
    }
}
