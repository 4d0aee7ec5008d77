package dev.berth.auth;

import java.util.Optional;
import java.util.Set;

/**
 * Two sources of accounts together ({@code auth.htpasswd} and {@code auth.ldap}): a name that {@code first} knows is
 * checked there and only there, any other in {@code then}. A local account thus shadows a directory user of the same
 * name, and works while the directory is down.
 */
public final class LayeredAccounts implements Accounts {
    private final Accounts first;
    private final Accounts then;

    public LayeredAccounts(Accounts first, Accounts then) {
        this.first = first;
        this.then = then;
    }

    @Override
    public boolean verify(String user, String password) {
        return owner(user).verify(user, password);
    }

    @Override
    public Optional<String> fingerprint(String user) {
        Optional<String> local = first.fingerprint(user);
        return local.isPresent() ? local : then.fingerprint(user);
    }

    @Override
    public Set<String> groups(String user) {
        return owner(user).groups(user);
    }

    private Accounts owner(String user) {
        return first.fingerprint(user).isPresent() ? first : then;
    }

    @Override
    public String toString() {
        return first + " then " + then;
    }
}
