package dev.berth.http.api;

import io.helidon.webserver.http.ServerResponse;

/** Answers one admin API route; what it throws becomes the API's JSON error. */
@FunctionalInterface
public interface ApiHandler {
    void handle(ApiCall call, ServerResponse res) throws Exception;
}
