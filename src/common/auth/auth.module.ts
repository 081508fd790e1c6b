import { Module } from '@nestjs/common';
import { TokenAuthenticator } from './token-authenticator';

@Module({ providers: [TokenAuthenticator], exports: [TokenAuthenticator] })
export class AuthModule {}
