package dev.berth.http.api;

/** A part of the admin API (warm jobs, repositories, ...): registers its routes, relative to {@code /api/v1}. */
public interface ApiResource {
    void routes(ApiRoutes routes);
}
