"""The API documentation (tài liệu API): OpenAPI with the login scheme, tags per feature and a
description for every operation and parameter, and Swagger UI served from vendored files.

The party's network is isolated: the explorer must work with no internet, so nothing on its
page comes from another host (``swagger-ui-dist`` from npm, with its licence, in ``static/``).
"""
