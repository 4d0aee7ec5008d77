package dev.berth.upstream;

/** What an upstream said when asked, with a caller's own login, whether it may pull a repository. */
public enum AccessAnswer {
    /** The login is good and may pull the repository (or, asked for no repository, the login is good). */
    GRANTED,
    /** The login is good but may not pull the repository, or the upstream has no such repository. */
    DENIED,
    /** The upstream refused the login itself: a wrong user name or password. */
    REFUSED
}
