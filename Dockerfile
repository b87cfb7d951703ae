# syntax=docker/dockerfile:1
# Chibo's image: `chibo serve`, `chibo worker`, `chibo tenant create …` (ENTRYPOINT is `chibo`).
# Two stages: dependencies and the project are installed into a virtualenv in the build stage;
# the runtime stage copies only that virtualenv and runs as uid 10001 on a read-only root
# filesystem (Kubernetes mounts an emptyDir on /tmp). Pin the base image by digest at release.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/chibo
ENV PATH=/opt/chibo/bin:$PATH
WORKDIR /src
# The lock first, so the dependency layer is rebuilt only when the lock changes. Every locked
# package ships a manylinux wheel, so no compiler is needed.
ARG LOCK_FILE=requirements.lock
COPY ${LOCK_FILE} ./requirements.lock
RUN pip install --only-binary=:all: -r requirements.lock
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY services ./services
COPY projections ./projections
COPY infra ./infra
RUN pip install --no-deps . \
    # Compile now: the read-only root filesystem forbids writing .pyc files at run time.
    && python -m compileall -q /opt/chibo \
    && chibo --help > /dev/null

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 chibo \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin chibo
COPY --from=build /opt/chibo /opt/chibo
ENV PATH=/opt/chibo/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    CHIBO_HOST=0.0.0.0 \
    CHIBO_PORT=8000 \
    CHIBO_DATA_DIR=/tmp/chibo
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["chibo"]
CMD ["serve"]
