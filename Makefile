# Make targets of the original service, on top of npm/Nx.
.PHONY: all run test build lint docker-deps docker-image clean

REGISTRY ?= dsts
APPS := auth-gateway lifecycle-api
BASE_IMAGES := node-builder node-runtime postgres redis

all: docker-deps docker-image

## run: build and start both apps (README's run command)
run:
	npm start

## test: the README's test command
test:
	npm test

build:
	bash tools/scripts/install.sh
	NX_NO_CLOUD=true NX_DAEMON=false npx nx run-many -t build

lint:
	bash tools/scripts/install.sh
	NX_NO_CLOUD=true NX_DAEMON=false npx nx run-many -t lint typecheck

## docker-deps: base images (builder, runtime, postgres, redis)
docker-deps:
	for image in $(BASE_IMAGES); do docker build -t $(REGISTRY)/$$image:latest base-images/$$image || exit 1; done

## docker-image: one image per app; its context (tmp/docker-context/<app>) comes from
## tools/scripts/docker-context.sh (Nx build output + Dockerfile, deterministic file list)
docker-image:
	bash tools/scripts/install.sh
	for app in $(APPS); do \
	  bash tools/scripts/docker-context.sh $$app && \
	  docker build --build-arg BASE_REGISTRY=$(REGISTRY) -t $(REGISTRY)/$$app:latest tmp/docker-context/$$app || exit 1; \
	done

clean:
	rm -rf dist tmp
	NX_DAEMON=false npx nx reset
